using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Transforms;

/// <summary>
/// Gives each loop nest of a generated function a method of its own, IR → IR, after the derivative transforms: a loop
/// that contains a loop becomes a call to a helper, a local function of the generated method, that runs it. A
/// derivative's sweeps hold many more live values than the primal (every shadow, the tape, the values kept for the
/// reverse sweep); in one large method the JIT runs out of registers and keeps loop counters, sums and span bases in
/// memory, reloading them in the hottest loops. In a helper, a nest competes only with what it uses itself. Recursively,
/// a nest inside a helper gets its own helper too.
/// </summary>
/// <remarks>
/// A helper takes every variable from outside the nest that the nest uses, by value (spans and arrays are references to
/// the same memory), and returns those it assigns that code after it, or the next run of the nest, may read: one as its
/// result, several as a tuple. It costs one call per run of the nest, which does at least one whole inner loop per
/// iteration. Loops without inner loops stay where they are.
/// </remarks>
internal static class Outliner
{
    /// <summary>A loop nest moved to a method of its own, the nest's origin, and whether the method can be static.</summary>
    public sealed record Helper(IrFunction Function, Origin? Origin, bool IsStatic);

    /// <summary>The function with its loop nests replaced by calls, and the helpers that run them, outermost first.</summary>
    public sealed record Result(IrFunction Function, EquatableArray<Helper> Helpers);

    /// <remarks>
    /// Helpers are local functions: in an instance method of a struct they cannot use <c>this</c>, so a nest that does
    /// (<paramref name="inStruct"/>) stays in place, and only the nests inside it that do not are cut out.
    /// </remarks>
    public static Result Apply(IrFunction function, bool isStatic, bool inStruct)
    {
        var cutter = new Cutter(function, isStatic, inStruct);
        IrFunction main = function with { Body = cutter.Rewrite(function.Body, [], []) };
        return new Result(main, cutter.Helpers.ToEquatableArray());
    }

    /// <summary>True for a loop with a loop inside it.</summary>
    private static bool IsNest(Stmt statement) =>
        statement is For or Loop && IrWalk.Blocks(statement).SelectMany(IrWalk.Statements).Any(s => s is For or Loop);

    private sealed class Cutter
    {
        private readonly HashSet<string> taken = new();

        // Where each variable first appears in the function (parameters first): the order of a helper's parameters.
        private readonly Dictionary<Variable, int> order = new();

        // The function's out parameters: its caller reads them.
        private readonly HashSet<Variable> results;

        private readonly bool isStatic;
        private readonly bool inStruct;

        public Cutter(IrFunction function, bool isStatic, bool inStruct)
        {
            this.isStatic = isStatic;
            this.inStruct = inStruct;
            foreach (Variable v in function.Parameters.Select(p => p.Variable).Concat(IrWalk.Variables(function.Body)))
            {
                if (!order.ContainsKey(v))
                {
                    order[v] = order.Count;
                    taken.Add(v.Name); // helpers are local functions: they share the method's names
                }
            }

            results = new HashSet<Variable>(function.Parameters.Where(p => p.Kind is ParameterKind.Out or ParameterKind.Ref).Select(p => p.Variable));
        }

        public List<Helper> Helpers { get; } = new();

        /// <summary>
        /// <paramref name="block"/> with its loop nests outlined. <paramref name="later"/> holds, for each block around it
        /// in the function being cut (the main function or a helper), the statements that run after it; <paramref name="loops"/>
        /// the loops around it, innermost last.
        /// </summary>
        public Block Rewrite(Block block, List<IEnumerable<Stmt>> later, List<Stmt> loops)
        {
            var output = new List<Stmt>();
            for (int i = 0; i < block.Statements.Count; i++)
            {
                Stmt statement = block.Statements[i];
                later.Add(block.Statements.Skip(i + 1));
                if (IsNest(statement) && !(inStruct && !isStatic && UsesThis(statement)))
                {
                    output.Add(Outline(statement, later, loops));
                }
                else
                {
                    if (statement is For or Loop)
                    {
                        loops.Add(statement);
                    }

                    output.Add(statement switch
                    {
                        If branch => branch with { Then = Rewrite(branch.Then, later, loops), Else = Rewrite(branch.Else, later, loops) },
                        For loop => loop with { Body = Rewrite(loop.Body, later, loops) },
                        Loop loop => loop with { Body = Rewrite(loop.Body, later, loops) },
                        TapeScope scope => scope with { Body = Rewrite(scope.Body, later, loops) },
                        _ => statement,
                    });

                    if (statement is For or Loop)
                    {
                        loops.RemoveAt(loops.Count - 1);
                    }
                }

                later.RemoveAt(later.Count - 1);
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>The helper that runs <paramref name="nest"/> (added to <see cref="Helpers"/>), and the statement that calls it.</summary>
        private Stmt Outline(Stmt nest, List<IEnumerable<Stmt>> later, List<Stmt> loops)
        {
            var declared = new HashSet<Variable>(Declared([nest]));
            var inputs = IrWalk.Variables(nest).Where(v => !declared.Contains(v)).Distinct().OrderBy(v => order[v]).ToList();
            var assigned = new HashSet<Variable>(Statements([nest]).OfType<Assign>().SelectMany(a => IrWalk.Targets(a.Target)));
            var readAfter = ReadAfter(later, loops);
            var outputs = inputs.Where(v => assigned.Contains(v) && readAfter.Contains(v)).ToList();

            string name = HelperName(nest.Origin);
            IrType returnType = outputs.Count switch
            {
                0 => IrType.Void,
                1 => outputs[0].Type,
                _ => IrType.Tuple(outputs.Select(v => v.Type).ToEquatableArray(), EquatableArray<string>.Empty),
            };

            var tail = new List<Stmt>();
            if (outputs.Count > 0)
            {
                Expr result = outputs.Count == 1 ? new Ref(outputs[0]) : new TupleExpr(outputs.Select(v => (Expr)new Ref(v)).ToEquatableArray(), returnType);
                tail.Add(new Return(result, null));
            }

            // The nest's own inner nests are cut out of the helper in turn; the helper goes before them in the list.
            int slot = Helpers.Count;
            Stmt loop = nest switch
            {
                For f => f with { Body = Rewrite(f.Body, [tail], [nest]) },
                Loop l => l with { Body = Rewrite(l.Body, [tail], [nest]) },
                _ => nest,
            };
            var parameters = inputs.Select(v => new Parameter(v, ParameterKind.Value, false)).ToEquatableArray();
            var body = new Block(new[] { loop }.Concat(tail).ToEquatableArray());
            Helpers.Insert(slot, new Helper(new IrFunction(name, parameters, returnType, body), nest.Origin, isStatic || !UsesThis(nest)));

            var callee = new MethodCallee(name, null, name, null, inputs.Select(v => new ParameterInfo(v.Name, v.Type, false, MayWrite: v.Type.Kind is ValueKind.Span or ValueKind.Array)).ToEquatableArray(), null, null);
            var call = new Call(callee, inputs.Select(v => (Expr)new Ref(v)).ToEquatableArray(), returnType);
            return outputs.Count switch
            {
                0 => new Evaluate(call, nest.Origin),
                1 => new Assign(new VariableBinding(outputs[0]), call, nest.Origin),
                _ => new Assign(new TupleBinding(outputs.Select(v => (Binding)new VariableBinding(v)).ToEquatableArray()), call, nest.Origin),
            };
        }

        /// <summary>
        /// What may be read after the nest: by later statements, by the function's caller (its out parameters), and by a
        /// loop around the nest that keeps a variable from one iteration to the next (one declared outside it).
        /// </summary>
        private HashSet<Variable> ReadAfter(List<IEnumerable<Stmt>> later, List<Stmt> loops)
        {
            var live = new HashSet<Variable>(results);
            foreach (IEnumerable<Stmt> statements in later)
            {
                live.UnionWith(Reads(statements));
            }

            foreach (Stmt loop in loops)
            {
                var declaredInside = new HashSet<Variable>(Declared([loop]));
                live.UnionWith(Reads([loop]).Where(v => !declaredInside.Contains(v)));
            }

            return live;
        }

        /// <summary><c>Loop{line}</c>, <c>Loop{line}Reverse</c> for a reversed loop, suffixed when taken.</summary>
        private string HelperName(Origin? origin)
        {
            string name = "Loop" + (origin is null ? string.Empty : origin.Line + (origin.Reversed ? "Reverse" : string.Empty));
            string candidate = name;
            for (int i = 2; !taken.Add(candidate); i++)
            {
                candidate = name + "_" + i;
            }

            return candidate;
        }
    }

    /// <summary>
    /// True when a nest may need <c>this</c>: it mentions it (a field, a receiver), or calls a method with neither receiver
    /// nor owner, which may be an instance method of the type.
    /// </summary>
    private static bool UsesThis(Stmt nest) =>
        Statements([nest]).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Subexpressions)
            .Any(e => e is This or Call { Callee: MethodCallee { Receiver: null, Owner: null } });

    /// <summary>
    /// The variables statements declare, themselves or inside: what they define other than by assignment (definitions,
    /// loop indices), and <c>out var</c>s.
    /// </summary>
    private static IEnumerable<Variable> Declared(IEnumerable<Stmt> statements) =>
        Statements(statements).SelectMany(s => (s is Assign ? [] : IrWalk.Defined(s))
            .Concat(IrWalk.Expressions(s).SelectMany(IrWalk.Subexpressions).OfType<OutArgument>().Select(o => o.Variable)));

    /// <summary>Every variable statements read, nested statements included.</summary>
    private static HashSet<Variable> Reads(IEnumerable<Stmt> statements) =>
        new(Statements(statements).SelectMany(IrWalk.Expressions).SelectMany(IrWalk.Reads));

    /// <summary>The statements and every statement nested in them.</summary>
    private static IEnumerable<Stmt> Statements(IEnumerable<Stmt> statements) =>
        IrWalk.Statements(new Block(statements.ToEquatableArray()));
}
