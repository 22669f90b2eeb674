using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Ir;

// The AD IR: typed values, structured control flow, calls whose derivative rules are resolved.
// Deeply equatable and free of ISymbol/SyntaxNode/Location/Compilation, so it is the pipeline's model.
//
// Invariants the transforms rely on (established by Lowering, kept by Flatten):
// - every floating-point operation's operands are atoms (Ref or Const); bool and integer
//   expressions are plain trees (they carry no derivative);
// - a variable is defined (Let) once and assigned (Assign) at most once on any path through one loop iteration;
//   a loop's carried variables are assigned at the end of each iteration;
// - buffers (arrays, spans) are defined once and never reassigned: element writes are Store statements;
// - a block that contains a Return ends with it, and every path through a body that returns a
//   value ends in a Return (Lowering moves the code after an early return into the other branch).

/// <summary>A named local or parameter.</summary>
internal sealed record Variable(string Name, IrType Type)
{
    public override string ToString() => Name;
}

/// <summary>
/// Where a statement came from: the source line and its text, for comments in generated code; <see cref="Reversed"/> for
/// the loop a reverse sweep runs backwards.
/// </summary>
internal sealed record Origin(int Line, string Text, bool Reversed = false);

// ---------------------------------------------------------------- expressions

internal abstract record Expr(IrType Type)
{
    /// <summary>An atom is a variable reference or a constant.</summary>
    public bool IsAtom => this is Ref or Const;
}

/// <summary>A numeric or boolean constant.</summary>
internal sealed record Const(IrType Type, double Value) : Expr(Type)
{
    public static Const Zero(IrType type) => new(type, 0);

    public static Const One(IrType type) => new(type, 1);

    public static Const True => new(IrType.Bool, 1);

    public static Const False => new(IrType.Bool, 0);
}

internal sealed record Ref(Variable Variable) : Expr(Variable.Type);

internal enum UnaryOp
{
    Negate,
    Not,

    /// <summary><c>~</c> on an integer.</summary>
    Complement,
}

internal sealed record Unary(UnaryOp Op, Expr Operand, IrType Type) : Expr(Type);

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    And,
    Or,

    /// <summary><c>&amp;</c> on integers (or bools, without short-circuit); the next four are integer-only too.</summary>
    BitwiseAnd,
    BitwiseOr,
    ExclusiveOr,
    LeftShift,
    RightShift,
}

internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right, IrType Type) : Expr(Type);

/// <summary>A numeric conversion, such as <c>(double)f</c> or <c>(int)x</c>; <see cref="Site"/> where the source has one.</summary>
internal sealed record Convert(IrType Type, Expr Operand, SourceSpan? Site = null) : Expr(Type);

/// <summary>
/// <c>checked(Operand)</c> or <c>unchecked(Operand)</c>: integer arithmetic (or a conversion to an integer) whose overflow
/// context differs from the project's default, as the source wrote it. Generated code keeps it, so the derivatives throw
/// an <c>OverflowException</c> exactly where the primal does.
/// </summary>
internal sealed record Overflow(Expr Operand, bool Checked) : Expr(Operand.Type);

/// <summary><c>Cond ? WhenTrue : WhenFalse</c>. Floating branches are atoms (Lowering turns others into an If).</summary>
internal sealed record Conditional(Expr Condition, Expr WhenTrue, Expr WhenFalse, IrType Type) : Expr(Type);

/// <summary>A call; <see cref="Site"/> is the call in the source, for diagnostics, where there is one.</summary>
internal sealed record Call(Callee Callee, EquatableArray<Expr> Arguments, IrType Type, SourceSpan? Site = null) : Expr(Type);

internal sealed record TupleExpr(EquatableArray<Expr> Elements, IrType Type) : Expr(Type);

/// <summary>Element <see cref="Index"/> of a tuple-valued expression.</summary>
internal sealed record Element(Expr Tuple, int Index, IrType Type) : Expr(Type);

/// <summary>A field read: <c>Receiver.Name</c>, or <c>Owner.Name</c> for a static field.</summary>
internal sealed record FieldRead(Expr? Receiver, string? Owner, string Name, IrType Type) : Expr(Type);

/// <summary><c>this</c>.</summary>
internal sealed record This(IrType Type) : Expr(Type);

/// <summary>An <c>out var</c> argument that declares <see cref="Variable"/>.</summary>
internal sealed record OutArgument(Variable Variable) : Expr(Variable.Type);

/// <summary><c>default</c> of a type (a tuple's zero, or an ignored cotangent).</summary>
internal sealed record DefaultValue(IrType Type) : Expr(Type);

/// <summary><c>Buffer[Index]</c>: an element of an array or span, or a row of a jagged array. The index is an integer tree.</summary>
internal sealed record Load(Expr Buffer, Expr Index, IrType Type) : Expr(Type);

/// <summary><c>Buffer.Length</c>.</summary>
internal sealed record Length(Expr Buffer) : Expr(IrType.Int);

/// <summary><c>new T[Count]</c>, or <c>stackalloc T[Count]</c> when <c>OnStack</c>; <c>Type</c> is the array or span type.</summary>
internal sealed record NewBuffer(IrType Type, Expr Count, bool OnStack) : Expr(Type);

/// <summary>A constant of another type, as C# writes it: <c>"name"</c>, <c>'c'</c>, <c>null</c>.</summary>
internal sealed record Literal(IrType Type, string Text) : Expr(Type);

/// <summary><c>new Type(Arguments)</c>: an exception to throw. The arguments are trees; no derivative flows.</summary>
internal sealed record New(IrType Type, EquatableArray<Expr> Arguments) : Expr(Type);

/// <summary>
/// An interpolated string, <c>$"…{value,alignment:format}…"</c>: <see cref="Literal"/> parts hold the text as written
/// between holes, <see cref="Hole"/> parts the values.
/// </summary>
internal sealed record Interpolated(EquatableArray<Expr> Parts) : Expr(IrType.Scalar(ValueKind.Other, "string"));

/// <summary>One hole of an <see cref="Interpolated"/> string: a value with its alignment and format as written (<c>,5</c>, <c>:F2</c>).</summary>
internal sealed record Hole(Expr Value, string Suffix) : Expr(IrType.Scalar(ValueKind.Other, "string"));

/// <summary>A value the reverse sweep takes back from the tape (<c>tape.Doubles.Pop()</c>).</summary>
internal sealed record Restored(Variable Tape, IrType Type) : Expr(Type);

/// <summary>
/// <c>Count</c> elements of a buffer from <c>Start</c>: what a loop over a range reads or writes, saved on the tape at once.
/// </summary>
internal sealed record Slice(Expr Buffer, Expr Start, Expr Count) : Expr(Buffer.Type);

/// <summary><c>nameof(Variable)</c>, for the argument checks of generated entry points.</summary>
internal sealed record NameOf(Variable Variable) : Expr(IrType.Scalar(ValueKind.Other, "string"));

// ---------------------------------------------------------------- callees

internal abstract record Callee;

/// <summary>A scalar primitive whose derivative rule is IR (<see cref="Rules.ScalarRules"/>).</summary>
internal sealed record Primitive(MathFunction Function, IrType OperandType) : Callee;

/// <summary>
/// A method call. <see cref="Key"/> identifies the callee in the derivative registry;
/// <see cref="Derivatives"/> says how to differentiate it, or is null when nothing is known (yet); <see cref="InSource"/>
/// says it is declared in this compilation's source (so it could be marked [Differentiable]).
/// </summary>
internal sealed record MethodCallee(
    string Key,
    string? Owner,
    string Name,
    Expr? Receiver,
    EquatableArray<ParameterInfo> Parameters,
    DerivativeMethods? Derivatives,
    SourceSpan? Site,
    bool InSource = false) : Callee;

/// <summary>
/// A callee parameter: its type, whether it takes a tangent and an adjoint, and (an array or a <c>Span</c>) whether the
/// callee may write its elements: false only where its body, or its generated derivatives' signatures, show it never does.
/// </summary>
/// <remarks>
/// A call of a method with <c>out</c> or <c>ref</c> parameters (<see cref="Kind"/>) binds a tuple: its result (unless it
/// is void), then each out and ref parameter's value on exit, in parameter order. The call's argument at an out parameter
/// is a <see cref="DefaultValue"/> placeholder; at a ref parameter, the value on entry. See <see cref="CallOutputs"/>.
/// </remarks>
internal sealed record ParameterInfo(string Name, IrType Type, bool IsDifferentiable, bool MayWrite = false, ParameterKind Kind = ParameterKind.Value);

/// <summary>How a call of a method with <c>out</c> or <c>ref</c> parameters binds its outputs (see <see cref="ParameterInfo"/>).</summary>
internal static class CallOutputs
{
    /// <summary>True when the callee has out or ref parameters.</summary>
    public static bool HasOutputParameters(Call call) =>
        call.Callee is MethodCallee callee && callee.Parameters.Any(p => p.Kind is ParameterKind.Out or ParameterKind.Ref);

    /// <summary>The number of out and ref parameters.</summary>
    public static int OutputCount(MethodCallee callee) => callee.Parameters.Count(p => p.Kind is ParameterKind.Out or ParameterKind.Ref);

    /// <summary>
    /// What a call's binding gives the result (null for a void callee, or where the binding drops it: it then has one element
    /// per output only) and each parameter's value on exit (by parameter index, out and ref parameters only).
    /// </summary>
    public static (Binding? Result, Dictionary<int, Variable> Outputs) Split(Binding target, Call call)
    {
        var callee = (MethodCallee)call.Callee;
        var elements = target is TupleBinding tuple ? tuple.Elements.ToList() : [target]; // at least one output: never a lone result
        int next = 0;
        Binding? result = elements.Count > OutputCount(callee) ? elements[next++] : null;
        var outputs = new Dictionary<int, Variable>();
        for (int i = 0; i < callee.Parameters.Count; i++)
        {
            if (callee.Parameters[i].Kind is ParameterKind.Out or ParameterKind.Ref)
            {
                outputs[i] = ((VariableBinding)elements[next++]).Variable;
            }
        }

        return (result, outputs);
    }

    /// <summary>The binding of a call with outputs: the result's binding (if any), then the outputs.</summary>
    public static Binding Bind(Binding? result, IEnumerable<Variable> outputs)
    {
        var elements = (result is null ? [] : new[] { result }).Concat(outputs.Select(v => (Binding)new VariableBinding(v))).ToList();
        return elements.Count == 1 ? elements[0] : new TupleBinding(elements.ToEquatableArray());
    }
}

/// <summary>The callee's forward-mode and reverse-mode methods (either may be missing for a registration).</summary>
/// <remarks>
/// <see cref="Hvp"/> is a referenced library's generated <c>{M}Hvp</c> (<c>Order = 2</c> there): the second-order rule of a
/// call of its method that cannot be inlined.
/// </remarks>
internal sealed record DerivativeMethods(MethodName? Jvp, MethodName? Vjp, string Source, MethodName? Hvp = null)
{
    /// <summary>The <see cref="Source"/> of a [Differentiable] method of this compilation, whose derivatives are generated alongside.</summary>
    public const string ThisCompilation = "[Differentiable]";

    /// <summary>True for a [Differentiable] method of this compilation.</summary>
    public bool IsThisCompilation => Source == ThisCompilation;
}

/// <summary>A method by owner (global::-qualified, or null for the current type) and name.</summary>
internal sealed record MethodName(string? Owner, string Name);

// ---------------------------------------------------------------- statements

internal abstract record Stmt(Origin? Origin);

/// <summary>The target of a definition: one variable, or a tuple of targets to deconstruct into.</summary>
internal abstract record Binding;

internal sealed record VariableBinding(Variable Variable) : Binding;

internal sealed record TupleBinding(EquatableArray<Binding> Elements) : Binding;

/// <summary>Defines new variables: <c>double y = x * x;</c> or <c>var (a, b) = G(x);</c>.</summary>
internal sealed record Let(Binding Target, Expr Value, Origin? Origin) : Stmt(Origin);

/// <summary>Assigns declared variables: merges after a branch, accumulations, out parameters.</summary>
internal sealed record Assign(Binding Target, Expr Value, Origin? Origin) : Stmt(Origin);

/// <summary>Declares a variable with its zero value, to be assigned on some path.</summary>
internal sealed record Declare(Variable Variable, Origin? Origin) : Stmt(Origin);

internal sealed record If(Expr Condition, Block Then, Block Else, Origin? Origin) : Stmt(Origin);

internal sealed record Return(Expr? Value, Origin? Origin) : Stmt(Origin);

/// <summary><c>throw Exception;</c>: like a return, it ends its path. Every sweep throws where the primal does.</summary>
internal sealed record Throw(Expr Exception, Origin? Origin) : Stmt(Origin);

/// <summary>A call evaluated for its out arguments.</summary>
internal sealed record Evaluate(Expr Value, Origin? Origin) : Stmt(Origin);

internal sealed record Comment(string Text) : Stmt((Origin?)null);

internal enum StoreKind
{
    /// <summary><c>a[i] = v</c></summary>
    Set,
    /// <summary><c>a[i] += v</c></summary>
    Add,
    /// <summary><c>a[i] -= v</c></summary>
    Subtract,
}

/// <summary>Writes an element: <c>Buffer[Index] = Value</c>, <c>+=</c> or <c>-=</c>. The value is an atom.</summary>
internal sealed record Store(Expr Buffer, Expr Index, Expr Value, StoreKind Kind, Origin? Origin) : Stmt(Origin);

/// <summary>
/// A counted loop, <c>for (int Index = From; Index Compare Bound; Index += Step)</c> with Step ±1: the body never
/// assigns the index, the bound does not change inside the loop, and the body has no break. Its reverse runs the same
/// indices backwards, so no trip count is saved.
/// </summary>
internal sealed record For(Variable Index, Expr From, BinaryOp Compare, Expr Bound, int Step, Block Body, Origin? Origin) : Stmt(Origin);

/// <summary>A general loop: runs <see cref="Body"/> again and again until a <see cref="Break"/> ends a path through it.</summary>
internal sealed record Loop(Block Body, Origin? Origin) : Stmt(Origin);

/// <summary>Leaves the innermost <see cref="Loop"/>; like a return, it ends its path.</summary>
internal sealed record Break(Origin? Origin) : Stmt(Origin);

/// <summary>
/// Pushes a value on the tape, for the reverse sweep: <c>tape.Doubles.Push(Value)</c>; for a buffer, its whole contents
/// (<c>tape.Doubles.PushRange(a)</c>).
/// </summary>
internal sealed record Save(Variable Tape, Expr Value, Origin? Origin) : Stmt(Origin);

/// <summary>Takes a buffer's saved contents back from the tape into it: <c>tape.Doubles.PopRange(a)</c>.</summary>
internal sealed record Reload(Variable Tape, Expr Buffer, Origin? Origin) : Stmt(Origin);

/// <summary>
/// Runs <see cref="Body"/> with the thread's tape in <see cref="Tape"/>, restoring its mark afterwards however the body
/// ends: <c>Tape tape = Tape.Current; TapeMark mark = tape.Mark(); try { … } finally { tape.Restore(mark); }</c>.
/// </summary>
internal sealed record TapeScope(Variable Tape, Variable Mark, Block Body) : Stmt((Origin?)null);

internal sealed record Block(EquatableArray<Stmt> Statements)
{
    public static readonly Block Empty = new(EquatableArray<Stmt>.Empty);
}

// ---------------------------------------------------------------- functions

internal enum ParameterKind
{
    Value,
    In,
    Out,

    /// <summary>A <c>ref</c> parameter: an input (its value on entry) and an output (its value on exit).</summary>
    Ref,
}

/// <summary>A function parameter; <c>IsDifferentiable</c> says whether a transform gives it a tangent or an adjoint.</summary>
internal sealed record Parameter(Variable Variable, ParameterKind Kind, bool IsDifferentiable);

/// <summary>A function: the unit every transform takes and returns, and the emitter prints.</summary>
internal sealed record IrFunction(string Name, EquatableArray<Parameter> Parameters, IrType ReturnType, Block Body)
{
    /// <summary>
    /// The project's overflow context (<c>CheckForOverflowUnderflow</c>): integer arithmetic the transforms add where it may
    /// wrap (the ranges a loop saves, computed for loops that never run) is written <c>unchecked</c> when this is true.
    /// </summary>
    public bool CheckedByDefault { get; init; }
}
