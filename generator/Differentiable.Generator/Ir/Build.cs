using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Ir;

/// <summary>
/// Builds IR expressions, folding the trivial cases (x·1, x + 0, −(−x)) so derivative code stays
/// readable. Folding is exact: it never changes a value, only drops operations with no effect.
/// </summary>
internal static class Build
{
    public static Expr Ref(Variable variable) => new Ref(variable);

    public static Const Number(IrType type, double value) => new(type, value);

    public static bool IsZero(Expr e) => e is Const { Value: 0 };

    public static bool IsOne(Expr e) => e is Const { Value: 1 };

    public static Expr Add(Expr left, Expr right)
    {
        if (left is Const a && right is Const b)
        {
            return Fold(TypeOf(left, right), a.Value + b.Value);
        }

        if (IsZero(left))
        {
            return right;
        }

        if (IsZero(right))
        {
            return left;
        }

        if (right is Unary { Op: UnaryOp.Negate } negated)
        {
            return new Binary(BinaryOp.Subtract, left, negated.Operand, TypeOf(left, right));
        }

        return new Binary(BinaryOp.Add, left, right, TypeOf(left, right));
    }

    public static Expr Subtract(Expr left, Expr right)
    {
        if (left is Const a && right is Const b)
        {
            return Fold(TypeOf(left, right), a.Value - b.Value);
        }

        if (IsZero(right))
        {
            return left;
        }

        if (IsZero(left))
        {
            return Negate(right);
        }

        return new Binary(BinaryOp.Subtract, left, right, TypeOf(left, right));
    }

    public static Expr Multiply(Expr left, Expr right)
    {
        if (left is Const a && right is Const b)
        {
            return Fold(TypeOf(left, right), a.Value * b.Value);
        }

        // (1 / r) · s is s / r; (c ? p : q) · s with constant p, q is c ? p·s : q·s.
        if (left is Binary { Op: BinaryOp.Divide } reciprocal && IsOne(reciprocal.Left))
        {
            return Divide(right, reciprocal.Right);
        }

        if (left is Conditional { WhenTrue: Const, WhenFalse: Const } selector)
        {
            return Conditional(selector.Condition, Multiply(selector.WhenTrue, right), Multiply(selector.WhenFalse, right));
        }

        if (IsZero(left) || IsZero(right))
        {
            return Const.Zero(TypeOf(left, right));
        }

        if (IsOne(left))
        {
            return right;
        }

        if (IsOne(right))
        {
            return left;
        }

        if (left is Const { Value: -1 })
        {
            return Negate(right);
        }

        if (right is Const { Value: -1 })
        {
            return Negate(left);
        }

        if (left is Unary { Op: UnaryOp.Negate } l)
        {
            return Negate(Multiply(l.Operand, right));
        }

        return new Binary(BinaryOp.Multiply, left, right, TypeOf(left, right));
    }

    public static Expr Divide(Expr left, Expr right) =>
        IsOne(right) ? left : new Binary(BinaryOp.Divide, left, right, TypeOf(left, right));

    /// <summary>
    /// The type of arithmetic on two operands: a widened sweep's lanes when either is (a scalar partial times a
    /// <c>Vector256</c> derivative is a <c>Vector256</c>), else the left operand's.
    /// </summary>
    private static IrType TypeOf(Expr left, Expr right) => right.Type.Kind == ValueKind.Lanes ? right.Type : left.Type;

    /// <summary>A constant computed at build time, rounded as the type would round it.</summary>
    public static Const Fold(IrType type, double value) =>
        new(type, type.Kind == ValueKind.Float ? (float)value : value);

    public static Expr Negate(Expr operand) => operand switch
    {
        Const c => new Const(c.Type, -c.Value),
        Unary { Op: UnaryOp.Negate } u => u.Operand,
        _ => new Unary(UnaryOp.Negate, operand, operand.Type),
    };

    public static Expr Compare(BinaryOp op, Expr left, Expr right) => new Binary(op, left, right, IrType.Bool);

    public static Expr And(Expr left, Expr right) => new Binary(BinaryOp.And, left, right, IrType.Bool);

    public static Expr Conditional(Expr condition, Expr whenTrue, Expr whenFalse) =>
        whenTrue == whenFalse ? whenTrue : new Conditional(condition, whenTrue, whenFalse, whenTrue.Type);

    public static Expr Call(MathFunction function, IrType type, params Expr[] arguments) =>
        new Call(new Primitive(function, type), Model.EquatableArray.Of(arguments), type);

    /// <summary>Converts <paramref name="value"/> to <paramref name="type"/> when the types differ.</summary>
    public static Expr ConvertTo(IrType type, Expr value) => value.Type.Equals(type)
        ? value
        : value is Const c ? new Const(type, c.Value) : new Convert(type, value);
}
