using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// <c>ref</c> locals. A ref local is another name for what it refers to, for its whole scope: a local or a parameter
/// (<c>ref double a = ref b;</c>: reading or writing <c>a</c> reads or writes <c>b</c>), or an element of an array or span
/// (<c>ref double e = ref x[i];</c>, and the variable of <c>foreach (ref double e in span)</c>: reading <c>e</c> loads
/// <c>x[i]</c> with <c>i</c> as it was when the reference was taken, writing it stores there). Nothing is copied, so the
/// derivatives follow the writes through it. A ref local that is reassigned (<c>a = ref c;</c>), or refers to anything
/// else (a field, a ref-returning call, a conditional), is reported.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>The ref locals of the method that name a local or a parameter, with what they name.</summary>
    private readonly Dictionary<ISymbol, ISymbol> refLocals = new(SymbolEqualityComparer.Default);

    /// <summary>The ref locals that name an element, with its buffer and (frozen) index.</summary>
    private readonly Dictionary<ISymbol, (Expr Buffer, Expr Index)> elementAliases = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// Finds, before lowering, every ref local that names a local or a parameter: a loop must know which locals its body
    /// assigns through them before the body is lowered.
    /// </summary>
    private void FindRefLocals(IOperation body)
    {
        foreach (IVariableDeclaratorOperation declarator in body.Descendants().OfType<IVariableDeclaratorOperation>())
        {
            if (declarator.Symbol.RefKind != RefKind.None
                && declarator.GetVariableInitializer()?.Value is ILocalReferenceOperation or IParameterReferenceOperation
                && declarator.GetVariableInitializer()!.Value is var target)
            {
                refLocals[declarator.Symbol] = target is ILocalReferenceOperation local ? local.Local : ((IParameterReferenceOperation)target).Parameter;
            }
        }
    }

    /// <summary>The local or parameter a reference reads or writes: through ref locals, what they name.</summary>
    private ISymbol SymbolOf(IOperation reference)
    {
        ISymbol symbol = reference switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => throw new System.InvalidOperationException("not a local or parameter"),
        };
        for (int depth = 0; depth < 64 && refLocals.TryGetValue(symbol, out ISymbol? target); depth++)
        {
            symbol = target;
        }

        return symbol;
    }

    /// <summary>True for a reference to a ref local that names an element.</summary>
    private bool IsElementAlias(IOperation operation) =>
        operation is ILocalReferenceOperation local && elementAliases.ContainsKey(local.Local);

    /// <summary>
    /// Lowers <c>ref double a = ref …;</c>: a name for a local or parameter (found by <see cref="FindRefLocals"/>), or for an
    /// element, whose index is frozen in a local when it is not a constant. Anything else is reported.
    /// </summary>
    private void DefineRefLocal(ILocalSymbol symbol, IOperation value, Env env, List<Stmt> output, Origin origin)
    {
        if (refLocals.ContainsKey(symbol))
        {
            if (TypeOf(symbol.Type) is not { IsBuffer: false, Kind: not ValueKind.Tuple })
            {
                Unsupported(value.Parent ?? value, $"A ref local of type '{symbol.Type.ToDisplayString()}' ('{symbol.Name}')");
            }

            return;
        }

        if (IsElementAccess(value) && value.Type is { } type && TypeOf(type) is { IsBuffer: false } && LowerElementAccess(value, env) is var (buffer, index))
        {
            elementAliases[symbol] = (Freeze(buffer, symbol.Name, output, origin), Freeze(index, symbol.Name, output, origin));
            return;
        }

        Unsupported(value.Parent ?? value, $"A ref local that refers to anything but a local, a parameter or an element ('{symbol.Name}')");
    }

    /// <summary>The variable of <c>foreach (ref double e in buffer)</c>: a name for <c>buffer[index]</c>.</summary>
    private void DefineElementAlias(ISymbol symbol, Expr buffer, Variable index) => elementAliases[symbol] = (buffer, new Ref(index));

    /// <summary>
    /// An index (or a row of a jagged array) as it is now: the integer tree in a local of its own, unless it is a constant
    /// or reads nothing that can change (variables defined once and never assigned).
    /// </summary>
    private Expr Freeze(Expr expr, string name, List<Stmt> output, Origin origin)
    {
        switch (expr)
        {
            case Const:
                return expr;
            case Ref { Variable: var v } when v.Type.IsBuffer:
                return expr;
            case Load { Type.IsBuffer: true } row:
                return row with { Buffer = Freeze(row.Buffer, name, output, origin), Index = Freeze(row.Index, name, output, origin) };
            default:
                Variable frozen = names.Fresh(name + "Index", expr.Type);
                output.Add(new Let(new VariableBinding(frozen), expr, origin));
                return new Ref(frozen);
        }
    }
}
