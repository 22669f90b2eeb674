using System.Collections.Generic;
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

    /// <summary>True for <c>a[i]</c> on an array or a span, and for a ref local that names an element.</summary>
    private bool IsElementAccess(IOperation operation) =>
        operation is IArrayElementReferenceOperation
        || operation is IPropertyReferenceOperation { Property.IsIndexer: true, Instance.Type: { } instanceType } && TypeOf(instanceType) is { IsBuffer: true }
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
            _ => (operation, null),
        };
        if (index is null || index.Type?.SpecialType != SpecialType.System_Int32)
        {
            Unsupported(operation, "This element access (only one int index is supported)");
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
            case IArrayElementReferenceOperation row when row.Type is { } rowType && TypeOf(rowType) is { IsBuffer: true } type:
                return LowerElementAccess(row, env) is var (buffer, index) ? new Load(buffer, index, type) : Const.Zero(IrType.Double);
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

        if (LowerAllocation(value, type, env) is { } allocation)
        {
            if (loops.Count > 0 || branchDepth > 0)
            {
                Unsupported(value, $"Creating the array or span '{symbol.Name}' inside a loop or a branch (create it once, before them)");
                return;
            }

            Variable variable = NextVersion(symbol, type);
            output.Add(new Let(new VariableBinding(variable), allocation, origin));
            env[symbol] = new Ref(variable);
            if (allocation is NewBuffer { OnStack: false })
            {
                createdArrays.Add(variable);
            }

            if (value is IArrayCreationOperation { Initializer: { } initializer })
            {
                for (int i = 0; i < initializer.ElementValues.Length; i++)
                {
                    Expr element = Build.ConvertTo(type.ElementType, LowerAtom(initializer.ElementValues[i], env, output));
                    output.Add(new Store(new Ref(variable), new Const(IrType.Int, i), element, StoreKind.Set, origin));
                }
            }

            return;
        }

        if (!failed)
        {
            env[symbol] = LowerBuffer(value, env);
        }
    }

    /// <summary>An allocation of a new buffer, or null when <paramref name="value"/> is not one.</summary>
    private Expr? LowerAllocation(IOperation value, IrType type, Env env)
    {
        switch (value)
        {
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
