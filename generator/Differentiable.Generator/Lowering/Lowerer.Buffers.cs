using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// Arrays and spans. A buffer variable is defined once, never reassigned: its elements are read with
/// <see cref="Load"/> and written with <see cref="Store"/>. A local that only renames a buffer (<c>Span&lt;double&gt; s = a;</c>,
/// <c>double[] row = rows[i];</c>) is not a new variable: the environment maps it to the buffer expression, so its
/// reads and writes are those of the buffer it names, and so are its shadow's.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Heap arrays this method creates with <c>new</c>: the only arrays it may return.</summary>
    private readonly HashSet<Variable> createdArrays = new();

    /// <summary>How many branches the statement being lowered is in (loops are counted by <c>loops</c>).</summary>
    private int branchDepth;

    /// <summary>
    /// True for <c>a[i]</c> and <c>a[^k]</c> on an array or a span (a field's array too), and for a ref local that names
    /// an element.
    /// </summary>
    private bool IsElementAccess(IOperation operation) =>
        operation is IArrayElementReferenceOperation && RangeParts(operation) is null
        || operation is IPropertyReferenceOperation { Property.IsIndexer: true, Instance.Type: { } instanceType } && TypeOf(instanceType) is { IsBuffer: true }
        || operation is IImplicitIndexerReferenceOperation { Instance.Type: { } indexedType, Argument.Type.Name: "Index" } && TypeOf(indexedType) is { IsBuffer: true }
        || IsElementAlias(operation);

    /// <summary>The buffer and index of an element access; the index is an integer tree.</summary>
    private (Expr Buffer, Expr Index)? LowerElementAccess(IOperation operation, Env env)
    {
        if (operation is ILocalReferenceOperation { Local: var local } && elementAliases.TryGetValue(local, out var alias))
        {
            return alias;
        }

        (IOperation instance, IOperation? index) = operation switch
        {
            IArrayElementReferenceOperation { Indices.Length: 1 } array => (array.ArrayReference, array.Indices[0]),
            IPropertyReferenceOperation { Instance: { } spanInstance, Arguments.Length: 1 } indexer => (spanInstance, indexer.Arguments[0].Value),
            IImplicitIndexerReferenceOperation implicitIndexer => (implicitIndexer.Instance, implicitIndexer.Argument),
            _ => (operation, null),
        };

        // a[^k] is a[a.Length - k].
        if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat, Operand: var fromEnd } && fromEnd.Type?.SpecialType == SpecialType.System_Int32)
        {
            Expr indexed = LowerBuffer(instance, env);
            return (indexed, Build.Subtract(new Length(indexed), LowerTree(fromEnd, env)));
        }

        if (index is null || index.Type?.SpecialType != SpecialType.System_Int32)
        {
            Unsupported(operation, index?.Type?.Name == "Range"
                ? "A range of an array or span (a[i..j]): index the elements in a loop, or pass the offset and length"
                : "This element access (an int index or ^k is supported)");
            return null;
        }

        return (LowerBuffer(instance, env), LowerTree(index, env));
    }

    /// <summary>
    /// A buffer-valued operand: a buffer variable, a row of a jagged array, or one of those converted to a span
    /// (the same memory).
    /// </summary>
    private Expr LowerBuffer(IOperation operation, Env env)
    {
        switch (operation)
        {
            // T[] → Span<T> → ReadOnlySpan<T>: a C# 14 span conversion, or before C# 14 the BCL's implicit operators.
            case IConversionOperation { Operand.Type: { } sourceType } conversion
                when TypeOf(sourceType) is { IsBuffer: true } source && conversion.Type is { } targetType && TypeOf(targetType) is { IsBuffer: true } target
                    && source.ElementType.Equals(target.ElementType):
                return LowerBuffer(conversion.Operand, env);
            case ILocalReferenceOperation or IParameterReferenceOperation:
                return Lookup(operation, env);
            case var range when RangeParts(range) is not null && range.Type is { } rangeType && TypeOf(rangeType) is { IsBuffer: true } ranged:
                return RangeCopy(range, ranged.ElementType, env, treeEffects);
            case IArrayElementReferenceOperation row when row.Type is { } rowType && TypeOf(rowType) is { IsBuffer: true } type:
                return LowerElementAccess(row, env) is var (buffer, index) ? new Load(buffer, index, type) : Const.Zero(IrType.Double);
            case IFieldReferenceOperation { Field: { IsReadOnly: true } or { IsConst: true } } field when field.Type is { } fieldType && TypeOf(fieldType) is { IsBuffer: true, ElementType.IsBuffer: false }:
                // A readonly array field is a constant, as readonly floating fields are: read, never differentiated.
                return LowerFieldTree(field, env);
            case IConversionOperation { Operand: ICollectionExpressionOperation } or ICollectionExpressionOperation when operation.Type is { } collectionType && TypeOf(collectionType) is { IsBuffer: true } target:
                return TemporaryBuffer(operation, target, env);
            default:
                return Unsupported(operation, $"This array or span expression ('{operation.Syntax}')");
        }
    }

    /// <summary><c>a.Length</c> of an array or span.</summary>
    private static bool IsLength(IOperation operation) =>
        operation is IPropertyReferenceOperation { Property.Name: "Length", Instance.Type: { } instanceType } && TypeOf(instanceType) is { IsBuffer: true };

    /// <summary>
    /// Defines a buffer local: a new array or stack buffer (<c>new double[n]</c>, <c>stackalloc double[n]</c>, or a
    /// conditional choosing between them), or a name for an existing buffer.
    /// </summary>
    private void DefineBuffer(ISymbol symbol, IrType type, IOperation value, Env env, List<Stmt> output, Origin origin)
    {
        if (env.ContainsKey(symbol))
        {
            Unsupported(value.Parent ?? value, $"Reassigning the array or span '{symbol.Name}' (write its elements instead)");
            return;
        }

        if (WithoutConversion(value) is IInvocationOperation { TargetMethod.ReturnsVoid: false } invocation)
        {
            // double[] y = H(x); of a [Differentiable] H: a new array, with its tangent from HJvp and its cotangent to HVjp.
            if (loops.Count > 0 || branchDepth > 0)
            {
                Unsupported(value, $"Defining the array '{symbol.Name}' from a call inside a loop or a branch (call it once, before them)");
                return;
            }

            Expr call = LowerInvocation(invocation, env, output, null, asTree: false, arrayResult: true);
            if (!failed)
            {
                Variable result = NextVersion(symbol, call.Type);
                output.Add(new Let(new VariableBinding(result), call, origin));
                env[symbol] = new Ref(result);
                createdArrays.Add(result);
            }

            return;
        }

        if (RangeParts(value) is not null)
        {
            Expr copy = RangeCopy(value, type.ElementType, env, output, symbol.Name);
            if (!failed)
            {
                env[symbol] = copy;
            }

            return;
        }

        if (LowerAllocation(value, type, env) is { } allocation)
        {
            if (loops.Count > 0 || branchDepth > 0)
            {
                Unsupported(value, $"Creating the array or span '{symbol.Name}' inside a loop or a branch (create it once, before them)");
                return;
            }

            Variable variable = NextVersion(symbol, allocation.Type); // a read-only span is filled as a span
            output.Add(new Let(new VariableBinding(variable), allocation, origin));
            env[symbol] = new Ref(variable);
            if (allocation is NewBuffer { OnStack: false })
            {
                createdArrays.Add(variable);
            }

            ImmutableArray<IOperation> elements = WithoutConversion(value) switch
            {
                IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
                ICollectionExpressionOperation collection => collection.Elements,
                _ => [],
            };
            for (int i = 0; i < elements.Length; i++)
            {
                Expr element = Build.ConvertTo(type.ElementType, LowerAtom(elements[i], env, output));
                output.Add(new Store(new Ref(variable), new Const(IrType.Int, i), element, StoreKind.Set, origin));
                if (failed)
                {
                    return;
                }
            }

            return;
        }

        if (!failed)
        {
            env[symbol] = LowerBuffer(value, env);
        }
    }

    /// <summary>
    /// A collection expression passed on (<c>Dot([x, y], w)</c>, <c>return [x, y];</c>): a local buffer of its own, filled
    /// just before the statement, which may not be in a loop or a branch (buffers are created once).
    /// </summary>
    private Expr TemporaryBuffer(IOperation collection, IrType type, Env env)
    {
        if (treeEffects is not { } output || loops.Count > 0 || branchDepth > 0)
        {
            return Unsupported(collection, "A collection expression passed on inside a loop or a branch (declare it in a local, once, before them)");
        }

        IrType local = type.Kind == ValueKind.Array ? type : IrType.Span(type.ElementType);
        if (LowerAllocation(collection, local, env) is not { } allocation)
        {
            return Const.Zero(IrType.Double);
        }

        Origin origin = OriginOf(collection);
        Variable buffer = names.Fresh("collection", local);
        output.Add(new Let(new VariableBinding(buffer), allocation, origin));
        if (allocation is NewBuffer { OnStack: false })
        {
            createdArrays.Add(buffer);
        }

        var elements = ((ICollectionExpressionOperation)WithoutConversion(collection)).Elements;
        for (int i = 0; i < elements.Length; i++)
        {
            Expr element = Build.ConvertTo(local.ElementType, LowerAtom(elements[i], env, output));
            output.Add(new Store(new Ref(buffer), new Const(IrType.Int, i), element, StoreKind.Set, origin));
        }

        return new Ref(buffer);
    }

    /// <summary>The array or span and the range of <c>a[i..j]</c> (<c>a[..^1]</c>, <c>a[1..]</c>…); null for anything else.</summary>
    private static (IOperation Instance, IRangeOperation Range)? RangeParts(IOperation operation) => WithoutConversion(operation) switch
    {
        IArrayElementReferenceOperation { Indices.Length: 1 } array when WithoutConversion(array.Indices[0]) is IRangeOperation range => (array.ArrayReference, range),
        IImplicitIndexerReferenceOperation indexer when WithoutConversion(indexer.Argument) is IRangeOperation range => (indexer.Instance, range),
        _ => null,
    };

    /// <summary>
    /// <c>a[i..j]</c>: a new array holding a copy of the elements, after the check C# makes (0 ≤ i ≤ j ≤ length, else
    /// <c>ArgumentOutOfRangeException</c>). For an array this is what C# does; a span's range is a view, which a copy
    /// stands for only where the method never writes the span (a range of a read-only span, or of a span only read).
    /// Created once, at the top level, as any local buffer is; named after the local it defines, if any.
    /// </summary>
    private Expr RangeCopy(IOperation operation, IrType elementType, Env env, List<Stmt>? output, string name = "range")
    {
        (IOperation instance, IRangeOperation range) = RangeParts(operation)!.Value;
        if (output is null || loops.Count > 0 || branchDepth > 0)
        {
            return Unsupported(operation, "A range of an array or span (a[i..j]) inside a loop or a branch: take it once, before them, into a local, or index with an offset");
        }

        if (instance.Type is not IArrayTypeSymbol && MayWriteSpan(instance))
        {
            return Unsupported(operation, "A range of a span other than a parameter the method only reads (a range of a span is a view of it): index with an offset instead");
        }

        Expr source = LowerBuffer(instance, env);
        Expr length = new Length(source);
        Expr? Bound(IOperation? index, Expr otherwise)
        {
            IOperation? bound = index is null ? null : WithoutConversion(index);
            return bound switch
            {
                null => otherwise,
                IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat, Operand: var fromEnd } when fromEnd.Type?.SpecialType == SpecialType.System_Int32 => Build.Subtract(length, LowerTree(fromEnd, env)),
                { Type.SpecialType: SpecialType.System_Int32 } => LowerTree(bound, env),
                _ => null,
            };
        }

        if (Bound(range.LeftOperand, Const.Zero(IrType.Int)) is not { } from || Bound(range.RightOperand, length) is not { } to)
        {
            return Unsupported(operation, "A range whose ends are not int or ^int (an Index or Range variable)");
        }

        Origin origin = OriginOf(operation);
        Variable start = names.Fresh("start", IrType.Int), end = names.Fresh("end", IrType.Int);
        output.Add(new Let(new VariableBinding(start), from, origin));
        output.Add(new Let(new VariableBinding(end), to, origin));
        Expr outside = new Binary(
            BinaryOp.Or,
            new Binary(BinaryOp.Or, Build.Compare(BinaryOp.Less, new Ref(start), Const.Zero(IrType.Int)), Build.Compare(BinaryOp.Greater, new Ref(start), new Ref(end)), IrType.Bool),
            Build.Compare(BinaryOp.Greater, new Ref(end), length),
            IrType.Bool);
        var exception = new New(IrType.Scalar(ValueKind.Other, "global::System.ArgumentOutOfRangeException"), EquatableArray<Expr>.Empty);
        output.Add(new If(outside, new Block(EquatableArray.Of<Stmt>(new Throw(exception, origin))), Block.Empty, origin));

        Variable copy = names.Fresh(name, IrType.Array(elementType));
        output.Add(new Let(new VariableBinding(copy), new NewBuffer(copy.Type, Build.Subtract(new Ref(end), new Ref(start)), OnStack: false), origin));
        createdArrays.Add(copy);
        Variable index = names.Fresh("index", IrType.Int), element = names.Fresh("element", elementType);
        var body = new Block(EquatableArray.Of<Stmt>(
            new Let(new VariableBinding(element), new Load(source, Build.Add(new Ref(start), new Ref(index)), elementType), origin),
            new Store(new Ref(copy), new Ref(index), new Ref(element), StoreKind.Set, origin)));
        output.Add(new For(index, Const.Zero(IrType.Int), BinaryOp.Less, new Length(new Ref(copy)), 1, body, origin));
        return new Ref(copy);
    }

    /// <summary>
    /// True unless the span a range is taken of is a parameter the method never writes: a read-only span, or a span whose
    /// every use is a read (<see cref="IsReadOnlyUse"/>) or a range. A local span may name another buffer: it may be.
    /// </summary>
    private bool MayWriteSpan(IOperation instance)
    {
        if (WithoutConversion(instance) is not IParameterReferenceOperation { Parameter: var parameter })
        {
            return true;
        }

        if (parameter.Type is INamedTypeSymbol { Name: "ReadOnlySpan" })
        {
            return false;
        }

        IOperation root = instance;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        return root.Descendants().Any(use =>
            use is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter)
            && !(use.Parent is { } parent && RangeParts(parent) is { } parts && parts.Instance == use)
            && !IsReadOnlyUse(use));
    }

    /// <summary>An allocation of a new buffer, or null when <paramref name="value"/> is not one.</summary>
    private Expr? LowerAllocation(IOperation value, IrType type, Env env)
    {
        switch (value)
        {
            case ICollectionExpressionOperation { Elements: var elements } collection:
                // [x, 2 * x]: an array, or for a span a stack buffer; its elements are stored one by one.
                return elements.Any(e => e is ISpreadOperation)
                    ? Unsupported(collection, "A spread (..) in a collection expression: copy the elements in a loop")
                    : type.ElementType.IsBuffer
                        ? Unsupported(collection, "Creating a jagged array")
                        : new NewBuffer(type.Kind == ValueKind.Array ? type : IrType.Span(type.ElementType), new Const(IrType.Int, elements.Length), OnStack: type.Kind != ValueKind.Array);
            case IConversionOperation { OperatorMethod: null } conversion:
                return LowerAllocation(conversion.Operand, type, env);
            case IArrayCreationOperation { DimensionSizes.Length: 1 } creation when type.ElementType.IsBuffer:
                return Unsupported(creation, "Creating a jagged array");
            case IArrayCreationOperation { DimensionSizes.Length: 1 } creation:
                return new NewBuffer(type, LowerTree(creation.DimensionSizes[0], env), OnStack: false);
            case { Kind: OperationKind.None, Syntax: StackAllocArrayCreationExpressionSyntax { Initializer: null } } stack
                when stack.ChildOperations.Count == 1:
                return new NewBuffer(type, LowerTree(stack.ChildOperations.First(), env), OnStack: true);
            case { Syntax: StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax }:
                return Unsupported(value, "A stackalloc with an initializer");
            case IConditionalOperation { Type: not null, WhenFalse: { } whenFalse } conditional
                when LowerAllocation(conditional.WhenTrue, type, env) is { } whenTrue && LowerAllocation(whenFalse, type, env) is { } otherwise:
                return new Conditional(LowerTree(conditional.Condition, env), whenTrue, otherwise, type);
            default:
                return null;
        }
    }

    /// <summary><c>a[i] = v</c>, <c>a[i] += v</c>, <c>a[i] -= v</c>, <c>a[i] *= v</c>, <c>a[i]++</c>…</summary>
    /// <returns>The element written (its buffer and index), for a write used as a value; null when it was reported.</returns>
    private (Expr Buffer, Expr Index)? LowerElementWrite(IOperation expression, IOperation target, Env env, List<Stmt> output, Origin origin)
    {
        if (target.Type is { } elementType && TypeOf(elementType) is { IsBuffer: true })
        {
            Unsupported(expression, "Replacing a row of a jagged array (write its elements instead)");
            return null;
        }

        if (LowerElementAccess(target, env) is not var (buffer, index))
        {
            return null;
        }

        if (IrWalk.Root(buffer) is null)
        {
            Unsupported(expression, "Writing an element of an array field (a field is a constant here: copy it into a local array to change it)");
            return null;
        }

        IrType type = TypeOf(target.Type!)!;
        Expr Value(IOperation operation) => type.IsFloating ? Build.ConvertTo(type, LowerAtom(operation, env, output)) : LowerTree(operation, env);

        switch (expression)
        {
            case ISimpleAssignmentOperation assignment:
                output.Add(new Store(buffer, index, Value(assignment.Value), StoreKind.Set, origin));
                break;
            case ICompoundAssignmentOperation compound when compound.OperatorMethod is not null
                || compound.InConversion is { IsIdentity: false } || compound.OutConversion is { IsIdentity: false }:
                Unsupported(compound, "A compound assignment that converts its operands");
                break;
            case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } compound when compound.IsChecked == checkedByDefault || type.IsFloating:
                output.Add(new Store(buffer, index, Value(compound.Value), compound.OperatorKind == BinaryOperatorKind.Add ? StoreKind.Add : StoreKind.Subtract, origin));
                break;
            case ICompoundAssignmentOperation compound:
            {
                // a[i] *= v reads the element: t = a[i]; a[i] = t * v.
                Variable current = names.Fresh("t", type);
                output.Add(new Let(new VariableBinding(current), new Load(buffer, index, type), origin));
                Expr updated = LowerBinary(compound, compound.OperatorKind, new Ref(current), compound.Value, compound.Target.Type!, env, output);
                Variable result = names.Fresh("t", type);
                output.Add(new Let(new VariableBinding(result), updated, origin));
                output.Add(new Store(buffer, index, new Ref(result), StoreKind.Set, origin));
                break;
            }

            case IIncrementOrDecrementOperation step when step.IsChecked == checkedByDefault || type.IsFloating:
                output.Add(new Store(buffer, index, Const.One(type), step.Kind == OperationKind.Increment ? StoreKind.Add : StoreKind.Subtract, origin));
                break;
            case IIncrementOrDecrementOperation step:
            {
                // a[i]++ in another overflow context than the project's: t = a[i]; a[i] = checked(t + 1).
                Variable current = names.Fresh("t", type);
                output.Add(new Let(new VariableBinding(current), new Load(buffer, index, type), origin));
                BinaryOp op = step.Kind == OperationKind.Increment ? BinaryOp.Add : BinaryOp.Subtract;
                output.Add(new Store(buffer, index, InContext(step, new Binary(op, new Ref(current), Const.One(type), type)), StoreKind.Set, origin));
                break;
            }

            default:
                Unsupported(expression, "This write to an element");
                break;
        }

        return (buffer, index);
    }
}
