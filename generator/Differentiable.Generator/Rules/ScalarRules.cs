using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;

namespace Differentiable.Generator.Rules;

/// <summary>
/// The derivative rules of scalar primitives: C# operators, conversions and <see cref="MathFunction"/>s.
/// </summary>
/// <remarks>
/// A rule gives the partial derivative of an operation with respect to each operand as IR, written
/// with primitives that have rules themselves, so rules compose to any order (a Tangent of an
/// Adjoint differentiates these partials again). One rule serves both modes: forward mode sums
/// partial · tangent over the operands, reverse mode adds partial · cotangent to each operand.
/// Non-smooth points follow JAX: |x|' = 0 at 0, Max/Min ties split evenly, Sign, Floor, Ceiling,
/// Round and Truncate have derivative 0, Sqrt' = +∞ at 0.
/// </remarks>
internal static class ScalarRules
{
    /// <summary>
    /// The functions by name, each with the shapes of its overloads: F is an operand of the floating type, I an int, O any
    /// other argument (a <c>MidpointRounding</c>).
    /// </summary>
    private static readonly Dictionary<string, (MathFunction Function, string[] Shapes)> Functions = new()
    {
        ["Sin"] = (MathFunction.Sin, ["F"]),
        ["Cos"] = (MathFunction.Cos, ["F"]),
        ["Tan"] = (MathFunction.Tan, ["F"]),
        ["Asin"] = (MathFunction.Asin, ["F"]),
        ["Acos"] = (MathFunction.Acos, ["F"]),
        ["Atan"] = (MathFunction.Atan, ["F"]),
        ["Atan2"] = (MathFunction.Atan2, ["FF"]),
        ["Sinh"] = (MathFunction.Sinh, ["F"]),
        ["Cosh"] = (MathFunction.Cosh, ["F"]),
        ["Tanh"] = (MathFunction.Tanh, ["F"]),
        ["Asinh"] = (MathFunction.Asinh, ["F"]),
        ["Acosh"] = (MathFunction.Acosh, ["F"]),
        ["Atanh"] = (MathFunction.Atanh, ["F"]),
        ["Exp"] = (MathFunction.Exp, ["F"]),
        ["Exp2"] = (MathFunction.Exp2, ["F"]),
        ["Exp10"] = (MathFunction.Exp10, ["F"]),
        ["ExpM1"] = (MathFunction.ExpM1, ["F"]),
        ["Log"] = (MathFunction.Log, ["F", "FF"]),
        ["Log10"] = (MathFunction.Log10, ["F"]),
        ["Log2"] = (MathFunction.Log2, ["F"]),
        ["LogP1"] = (MathFunction.LogP1, ["F"]),
        ["Sqrt"] = (MathFunction.Sqrt, ["F"]),
        ["Cbrt"] = (MathFunction.Cbrt, ["F"]),
        ["RootN"] = (MathFunction.RootN, ["FI"]),
        ["Hypot"] = (MathFunction.Hypot, ["FF"]),
        ["Pow"] = (MathFunction.Pow, ["FF"]),
        ["Abs"] = (MathFunction.Abs, ["F"]),
        ["Max"] = (MathFunction.Max, ["FF"]),
        ["Min"] = (MathFunction.Min, ["FF"]),
        ["MaxNumber"] = (MathFunction.MaxNumber, ["FF"]),
        ["MinNumber"] = (MathFunction.MinNumber, ["FF"]),
        ["MaxMagnitude"] = (MathFunction.MaxMagnitude, ["FF"]),
        ["MinMagnitude"] = (MathFunction.MinMagnitude, ["FF"]),
        ["Clamp"] = (MathFunction.Clamp, ["FFF"]),
        ["CopySign"] = (MathFunction.CopySign, ["FF"]),
        ["FusedMultiplyAdd"] = (MathFunction.FusedMultiplyAdd, ["FFF"]),
        ["ScaleB"] = (MathFunction.ScaleB, ["FI"]),
        ["IEEERemainder"] = (MathFunction.IEEERemainder, ["FF"]),
        ["BitIncrement"] = (MathFunction.BitIncrement, ["F"]),
        ["BitDecrement"] = (MathFunction.BitDecrement, ["F"]),
        ["SinPi"] = (MathFunction.SinPi, ["F"]),
        ["CosPi"] = (MathFunction.CosPi, ["F"]),
        ["TanPi"] = (MathFunction.TanPi, ["F"]),
        ["DegreesToRadians"] = (MathFunction.DegreesToRadians, ["F"]),
        ["RadiansToDegrees"] = (MathFunction.RadiansToDegrees, ["F"]),
        ["Lerp"] = (MathFunction.Lerp, ["FFF"]),
        ["Sign"] = (MathFunction.Sign, ["F"]),
        ["Floor"] = (MathFunction.Floor, ["F"]),
        ["Ceiling"] = (MathFunction.Ceiling, ["F"]),
        ["Round"] = (MathFunction.Round, ["F", "FI", "FO", "FIO"]),
        ["Truncate"] = (MathFunction.Truncate, ["F"]),
    };

    /// <summary>The owners whose functions are primitives: Math and MathF, and double's and float's generic-math statics.</summary>
    private static readonly HashSet<string> Owners = ["global::System.Math", "global::System.MathF", "double", "float"];

    /// <summary>The functions <c>Math</c> does not have: spelled as statics of <c>double</c> or <c>float</c>.</summary>
    private static readonly HashSet<MathFunction> GenericMathOnly =
    [
        MathFunction.Exp2, MathFunction.Exp10, MathFunction.ExpM1, MathFunction.LogP1, MathFunction.RootN, MathFunction.Hypot,
        MathFunction.MaxNumber, MathFunction.MinNumber, MathFunction.SinPi, MathFunction.CosPi, MathFunction.TanPi,
        MathFunction.DegreesToRadians, MathFunction.RadiansToDegrees, MathFunction.Lerp,
    ];

    /// <summary>
    /// Recognizes a function of <c>System.Math</c>, <c>System.MathF</c>, <c>double</c> or <c>float</c> over operands of
    /// one floating type (plus the int or MidpointRounding arguments some take). Other overloads (the integer ones) are
    /// not primitives.
    /// </summary>
    public static bool TryGetPrimitive(string owner, string name, IReadOnlyList<IrType> parameterTypes, out MathFunction function)
    {
        function = default;
        if (owner == "global::Differentiable.NoDerivative" && name == "Of" && parameterTypes.Count == 1 && parameterTypes[0].IsFloating)
        {
            function = MathFunction.NoDerivative;
            return true;
        }

        if (!Owners.Contains(owner) || !Functions.TryGetValue(name, out var entry) || parameterTypes.Count == 0 || !parameterTypes[0].IsFloating)
        {
            return false;
        }

        IrType floating = parameterTypes[0];
        string shape = string.Concat(parameterTypes.Select(t => t.Equals(floating) ? "F" : t.Equals(IrType.Int) ? "I" : t.IsFloating ? "?" : "O"));
        if (!entry.Shapes.Contains(shape))
        {
            return false;
        }

        function = entry.Function;
        return true;
    }

    /// <summary>How a primitive is spelled in C# for the operand type (MathF has no Clamp; generic-math ones on double or float).</summary>
    public static string Spelling(MathFunction function, IrType operandType) =>
        function == MathFunction.NoDerivative ? "global::Differentiable.NoDerivative.Of"
        : function == MathFunction.MultiplyWhereNonZero ? "global::Differentiable.Terms.MultiplyWhereNonZero"
        : GenericMathOnly.Contains(function) ? (operandType.Kind == ValueKind.Float ? "float." : "double.") + function
        : operandType.Kind == ValueKind.Float && function != MathFunction.Clamp
            ? "global::System.MathF." + function
            : "global::System.Math." + function;

    /// <summary>The result type of a primitive: the operand type, except <c>Sign</c>, which returns int.</summary>
    public static IrType ResultType(MathFunction function, IrType operandType) =>
        function == MathFunction.Sign ? IrType.Int : operandType;

    /// <summary>The functions whose derivative is zero: a differentiable value through them loses its derivative.</summary>
    public static bool IsPiecewiseConstant(MathFunction function) =>
        function is MathFunction.Floor or MathFunction.Ceiling or MathFunction.Round or MathFunction.Truncate or MathFunction.Sign;

    /// <summary>
    /// The partial derivatives of <paramref name="value"/>, an operation whose floating operands are
    /// atoms, with respect to each floating operand. <paramref name="result"/> is an atom holding the
    /// operation's value, which some rules reuse (exp x, √x). Operands with a zero partial are left out.
    /// </summary>
    public static IReadOnlyList<(Expr Operand, Expr Partial)> Partials(Expr value, Expr result)
    {
        IrType t = value.Type;
        Expr one = Const.One(t);
        switch (value)
        {
            case Ref:
                return [(value, one)];
            case Ir.Convert convert when convert.Operand.Type.IsFloating:
                return [(convert.Operand, Const.One(convert.Operand.Type))];
            case Unary { Op: UnaryOp.Negate } negate:
                return [(negate.Operand, Build.Negate(one))];
            case Binary binary:
                return BinaryPartials(binary, result);
            case Conditional conditional:
                return
                [
                    (conditional.WhenTrue, Build.Conditional(conditional.Condition, one, Const.Zero(t))),
                    (conditional.WhenFalse, Build.Conditional(conditional.Condition, Const.Zero(t), one)),
                ];
            case Call { Callee: Primitive primitive } call:
                return PrimitivePartials(primitive.Function, call.Arguments.AsImmutableArray(), result, t);
            default:
                return [];
        }
    }

    /// <summary>
    /// One operand's term, partial · derivative: in forward mode the operand's tangent, in reverse mode the value's
    /// cotangent. Where a rule's partial can be infinite or NaN at a point where its value is finite (vertical tangents:
    /// <c>Sqrt</c>, <c>Cbrt</c>, <c>RootN</c> at 0, <c>Asin</c>/<c>Acos</c> at ±1, <c>Acosh</c> at 1; <c>Atan2</c> at the
    /// origin; <c>Pow</c>, whose ∂/∂y = x^y · ln x is NaN at a negative base), the term is
    /// <c>Terms.MultiplyWhereNonZero(partial, derivative)</c>: exactly 0 where the derivative is 0, so a direction that does
    /// not move the operand, or an output that does not depend on the value, gets 0 instead of ∞ · 0 = NaN. In a widened
    /// sweep the same holds lane by lane. It is a primitive with the product rule as its own rule, so a Tangent of an
    /// Adjoint stays exact where a cotangent is 0 but its tangent is not.
    /// </summary>
    public static Expr Term(Expr value, Expr operand, Expr partial, Expr derivative) =>
        partial is Const || !MayBeNonFinite(value, operand)
            ? Build.Multiply(partial, derivative)
            : new Call(new Primitive(MathFunction.MultiplyWhereNonZero, partial.Type), Model.EquatableArray.Of(partial, derivative), derivative.Type);

    /// <summary>Whether the partial of <paramref name="value"/> with respect to <paramref name="operand"/> can be infinite or NaN where the value is finite.</summary>
    private static bool MayBeNonFinite(Expr value, Expr operand) =>
        value is Call { Callee: Primitive { Function: var function }, Arguments: var arguments } && function switch
        {
            MathFunction.Sqrt or MathFunction.Cbrt or MathFunction.RootN or MathFunction.Asin or MathFunction.Acos or MathFunction.Acosh
                or MathFunction.Atan2 or MathFunction.MultiplyWhereNonZero => true,

            // b · a^(b−1) is finite for finite a when b is a constant ≥ 1.
            MathFunction.Pow => !(operand.Equals(arguments[0]) && arguments[1] is Const { Value: >= 1 }),
            _ => false,
        };

    private static IReadOnlyList<(Expr, Expr)> BinaryPartials(Binary binary, Expr result)
    {
        Expr a = binary.Left, b = binary.Right;
        Expr one = Const.One(binary.Type);
        return binary.Op switch
        {
            BinaryOp.Add => [(a, one), (b, one)],
            BinaryOp.Subtract => [(a, one), (b, Build.Negate(one))],
            BinaryOp.Multiply => [(a, b), (b, a)],
            // d(a / b) = da / b − (a / b) · db / b
            BinaryOp.Divide => [(a, Build.Divide(one, b)), (b, Build.Negate(Build.Divide(result, b)))],
            // a % b = a − b · trunc(a / b) (C#'s remainder keeps a's sign): 1 and −trunc(a / b), away from its jumps.
            BinaryOp.Remainder when binary.Type.IsFloating => [(a, one), (b, Build.Negate(Build.Call(MathFunction.Truncate, binary.Type, Build.Divide(a, b))))],
            _ => [],
        };
    }

    private static IReadOnlyList<(Expr, Expr)> PrimitivePartials(MathFunction function, IReadOnlyList<Expr> args, Expr v, IrType t)
    {
        Expr a = args[0];
        Expr one = Const.One(t);
        Expr Number(double value) => Build.Number(t, value);
        Expr Call(MathFunction f, params Expr[] operands) => Build.Call(f, t, operands);
        Expr Square(Expr x) => Build.Multiply(x, x);
        Expr Reciprocal(Expr x) => Build.Divide(one, x);

        switch (function)
        {
            case MathFunction.Sin:
                return [(a, Call(MathFunction.Cos, a))];
            case MathFunction.Cos:
                return [(a, Build.Negate(Call(MathFunction.Sin, a)))];
            case MathFunction.Tan:
                return [(a, Build.Add(one, Square(v)))];
            case MathFunction.Asin:
                return [(a, Reciprocal(Call(MathFunction.Sqrt, Build.Subtract(one, Square(a)))))];
            case MathFunction.Acos:
                return [(a, Build.Negate(Reciprocal(Call(MathFunction.Sqrt, Build.Subtract(one, Square(a))))))];
            case MathFunction.Atan:
                return [(a, Reciprocal(Build.Add(one, Square(a))))];
            case MathFunction.Atan2:
            {
                // atan2(y, x): ∂y = x / (x² + y²), ∂x = −y / (x² + y²)
                Expr x = args[1];
                Expr norm = Build.Add(Square(x), Square(a));
                return [(a, Build.Divide(x, norm)), (x, Build.Negate(Build.Divide(a, norm)))];
            }

            case MathFunction.Sinh:
                return [(a, Call(MathFunction.Cosh, a))];
            case MathFunction.Cosh:
                return [(a, Call(MathFunction.Sinh, a))];
            case MathFunction.Tanh:
                return [(a, Build.Subtract(one, Square(v)))];
            case MathFunction.Exp:
                return [(a, v)];
            case MathFunction.Log when args.Count == 2:
            {
                // log_b(a) = ln a / ln b: ∂a = 1 / (a ln b), ∂b = −log_b(a) / (b ln b)
                Expr b = args[1];
                Expr lnB = Call(MathFunction.Log, b);
                return [(a, Reciprocal(Build.Multiply(a, lnB))), (b, Build.Negate(Build.Divide(v, Build.Multiply(b, lnB))))];
            }

            case MathFunction.Log:
                return [(a, Reciprocal(a))];
            case MathFunction.Log10:
                return [(a, Reciprocal(Build.Multiply(a, Number(Math.Log(10)))))];
            case MathFunction.Log2:
                return [(a, Reciprocal(Build.Multiply(a, Number(Math.Log(2)))))];
            case MathFunction.Sqrt:
                return [(a, Build.Divide(Number(0.5), v))];
            case MathFunction.Cbrt:
                return [(a, Reciprocal(Build.Multiply(Number(3), Square(v))))];
            case MathFunction.RootN:
            {
                // a^(1/n): v / (n·a), +∞ at a = 0 (a vertical tangent, as for Sqrt).
                Expr n = Build.ConvertTo(t, args[1]);
                return [(a, Build.Conditional(Build.Compare(BinaryOp.Equal, a, Const.Zero(t)), Number(double.PositiveInfinity), Build.Divide(v, Build.Multiply(n, a))))];
            }

            case MathFunction.Hypot:
            {
                // √(a² + b²): a / v and b / v; 0 at the origin, as |x| has derivative 0 at 0.
                Expr b = args[1];
                Expr atOrigin = Build.Compare(BinaryOp.Equal, v, Const.Zero(t));
                return [(a, Build.Conditional(atOrigin, Const.Zero(t), Build.Divide(a, v))), (b, Build.Conditional(atOrigin, Const.Zero(t), Build.Divide(b, v)))];
            }

            case MathFunction.Asinh:
                return [(a, Reciprocal(Call(MathFunction.Sqrt, Build.Add(Square(a), one))))];
            case MathFunction.Acosh:
                return [(a, Reciprocal(Call(MathFunction.Sqrt, Build.Subtract(Square(a), one))))];
            case MathFunction.Atanh:
                return [(a, Reciprocal(Build.Subtract(one, Square(a))))];
            case MathFunction.Exp2:
                return [(a, Build.Multiply(v, Number(Math.Log(2))))];
            case MathFunction.Exp10:
                return [(a, Build.Multiply(v, Number(Math.Log(10))))];
            case MathFunction.ExpM1:
                return [(a, Build.Add(v, one))];
            case MathFunction.LogP1:
                return [(a, Reciprocal(Build.Add(one, a)))];
            case MathFunction.FusedMultiplyAdd:
                return [(a, args[1]), (args[1], a), (args[2], one)];
            case MathFunction.ScaleB:
                // a · 2^n: 2^n, as ScaleB(1, n) computes it exactly.
                return [(a, Call(MathFunction.ScaleB, one, args[1]))];
            case MathFunction.CopySign:
                // |a| with b's sign: sign(a) · (±1 by b's sign bit); 0 at a = 0, as for |a|. Nothing flows to b.
                return [(a, Build.Multiply(SignOf(a, t), Call(MathFunction.CopySign, one, args[1])))];
            case MathFunction.IEEERemainder:
                // a − b · round(a / b) (to even): 1 and −round(a / b).
                return [(a, one), (args[1], Build.Negate(Call(MathFunction.Round, Build.Divide(a, args[1]))))];
            case MathFunction.BitIncrement:
            case MathFunction.BitDecrement:
                return [(a, one)];
            case MathFunction.SinPi:
                return [(a, Build.Multiply(Number(Math.PI), Call(MathFunction.CosPi, a)))];
            case MathFunction.CosPi:
                return [(a, Build.Negate(Build.Multiply(Number(Math.PI), Call(MathFunction.SinPi, a))))];
            case MathFunction.TanPi:
                return [(a, Build.Multiply(Number(Math.PI), Build.Add(one, Square(v))))];
            case MathFunction.DegreesToRadians:
                return [(a, Number(Math.PI / 180))];
            case MathFunction.RadiansToDegrees:
                return [(a, Number(180 / Math.PI))];
            case MathFunction.Lerp:
            {
                // a·(1 − s) + b·s.
                Expr b = args[1], s = args[2];
                return [(a, Build.Subtract(one, s)), (b, s), (s, Build.Subtract(b, a))];
            }
            case MathFunction.Pow:
            {
                // d(a^b) = b · a^(b−1) da + a^b · ln a db; the db term exists only when b is active. Where the function is
                // constant along an axis its partial is 0, not 0 · ∞ = NaN: ∂/∂a where b = 0 (a^0 = 1), ∂/∂b where a = 0
                // (0^b = 0 for b > 0).
                Expr b = args[1];
                Expr da = b switch
                {
                    Const { Value: 1 } => one,
                    Const { Value: 2 } => Build.Multiply(Number(2), a),
                    Const => Build.Multiply(b, Call(MathFunction.Pow, a, Build.Subtract(b, one))),
                    _ => Build.Conditional(
                        Build.Compare(BinaryOp.Equal, b, Const.Zero(t)),
                        Const.Zero(t),
                        Build.Multiply(b, Call(MathFunction.Pow, a, Build.Subtract(b, one)))),
                };
                Expr db = a switch
                {
                    Const { Value: 0 } => Const.Zero(t),
                    Const => Build.Multiply(v, Call(MathFunction.Log, a)),
                    _ => Build.Conditional(Build.Compare(BinaryOp.Equal, a, Const.Zero(t)), Const.Zero(t), Build.Multiply(v, Call(MathFunction.Log, a))),
                };
                return [(a, da), (b, db)];
            }

            case MathFunction.MultiplyWhereNonZero:
                // The product rule: where the partial a is finite this is a · b.
                return [(a, args[1]), (args[1], a)];
            case MathFunction.Abs:
                // sign(a) as a value of the operand type, 0 at 0 (Math.Sign would throw on NaN).
                return [(a, SignOf(a, t))];
            case MathFunction.Max or MathFunction.MaxNumber:
                return [(a, TieSplit(BinaryOp.Greater, a, args[1], t)), (args[1], TieSplit(BinaryOp.Greater, args[1], a, t))];
            case MathFunction.Min or MathFunction.MinNumber:
                return [(a, TieSplit(BinaryOp.Less, a, args[1], t)), (args[1], TieSplit(BinaryOp.Less, args[1], a, t))];
            case MathFunction.MaxMagnitude or MathFunction.MinMagnitude:
            {
                // The operand of larger (smaller) magnitude takes it all; at equal magnitudes the result is Max (Min) of the
                // two, split evenly where they are equal.
                Expr b = args[1];
                BinaryOp wins = function == MathFunction.MaxMagnitude ? BinaryOp.Greater : BinaryOp.Less;
                Expr Share(Expr x, Expr y) => Build.Conditional(
                    Build.Compare(wins, Call(MathFunction.Abs, x), Call(MathFunction.Abs, y)),
                    one,
                    Build.Conditional(Build.Compare(BinaryOp.Equal, Call(MathFunction.Abs, x), Call(MathFunction.Abs, y)), TieSplit(wins, x, y, t), Const.Zero(t)));
                return [(a, Share(a, b)), (b, Share(b, a))];
            }
            case MathFunction.Clamp:
            {
                // Clamp(x, lo, hi) differentiates as Min(Max(x, lo), hi).
                Expr lo = args[1], hi = args[2];
                Expr inner = Call(MathFunction.Max, a, lo);
                Expr throughInner = TieSplit(BinaryOp.Less, inner, hi, t);
                return
                [
                    (a, Build.Multiply(TieSplit(BinaryOp.Greater, a, lo, t), throughInner)),
                    (lo, Build.Multiply(TieSplit(BinaryOp.Greater, lo, a, t), throughInner)),
                    (hi, TieSplit(BinaryOp.Less, hi, inner, t)),
                ];
            }

            default:
                // Sign, Floor, Ceiling, Round, Truncate: derivative 0 everywhere it exists; NoDerivative.Of: 0 by intent.
                return [];
        }
    }

    /// <summary>1 where <c>a op b</c>, ½ where a == b, 0 otherwise: the share of a Max/Min that flows to a.</summary>
    private static Expr TieSplit(BinaryOp op, Expr a, Expr b, IrType t) =>
        Build.Conditional(
            Build.Compare(op, a, b),
            Const.One(t),
            Build.Conditional(Build.Compare(BinaryOp.Equal, a, b), Build.Number(t, 0.5), Const.Zero(t)));

    private static Expr SignOf(Expr a, IrType t) =>
        Build.Conditional(
            Build.Compare(BinaryOp.Greater, a, Const.Zero(t)),
            Const.One(t),
            Build.Conditional(Build.Compare(BinaryOp.Less, a, Const.Zero(t)), Build.Number(t, -1), Const.Zero(t)));
}
