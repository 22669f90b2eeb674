using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Analysis;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Emit;

/// <summary>
/// <c>{M}Jacobian</c>: the m × n matrix of a method's derivatives (<see cref="JacobianShape"/> says which inputs are its
/// columns and which outputs its rows). Rows come from <c>{M}Vjp</c> with unit cotangents when m &lt; n; otherwise columns
/// come from the widened <c>{M}Jvp</c>, W unit directions per sweep (from the single Jvp, one per sweep, where there is no
/// widened one). Every sweep starts from the arguments' values on entry (written arrays and <c>ref</c> values are put back
/// between sweeps), so on return they hold what one call of the method leaves, as does the result.
/// </summary>
internal static class Jacobians
{
    public static void Emit(CodeWriter writer, MethodModel model, IrFunction primal, JacobianShape shape, IrFunction? jvp, IrFunction? widened, IrFunction vjp, IrFunction? widenedVjp)
    {
        new Writer(writer, model, primal, shape, jvp, widened, vjp, widenedVjp).Emit();
    }

    private sealed class Writer(CodeWriter writer, MethodModel model, IrFunction primal, JacobianShape shape, IrFunction? jvp, IrFunction? widened, IrFunction vjp, IrFunction? widenedVjp)
    {
        private readonly NameScope names = new(primal.Parameters.Select(p => p.Variable.Name).Concat([model.Name, model.Name + "Jvp", model.Name + "Vjp", model.Name + "Jacobian"]));
        private readonly string e = shape.Element.CSharp;
        private readonly string one = shape.Element.Kind == ValueKind.Float ? "1f" : "1.0";
        private readonly string zero = shape.Element.Kind == ValueKind.Float ? "0f" : "0.0";
        private readonly bool returnsValue = primal.ReturnType.Kind != ValueKind.Void;

        private string jacobian = "", n = "", m = "", value = "", result = "";
        private Flattened columns = null!, rows = null!;

        private static string Name(Variable v) => CSharpPrinter.Name(v);

        private string PrimalArguments => string.Join(", ", primal.Parameters.Select(p => Emitter.Modifier(p.Kind) + Name(p.Variable)));

        /// <summary>The row where output <paramref name="output"/> (an entry of <see cref="JacobianShape.Outputs"/>) starts.</summary>
        private string RowOf(Parameter output) => rows.Offsets[(shape.ResultIsArray ? 1 : 0) + shape.Outputs.ToList().IndexOf(output)];

        /// <summary>
        /// The result's cotangent, <paramref name="unit"/> of its row: row 0 of a scalar result, or a tuple over a tuple's
        /// floating elements (rows 0, 1, …), <c>default</c> for its other elements.
        /// </summary>
        private string ResultCotangent(System.Func<int, string> unit)
        {
            if (primal.ReturnType.Kind != ValueKind.Tuple)
            {
                return unit(0);
            }

            int row = 0;
            return "(" + string.Join(", ", primal.ReturnType.Elements.Select(t => t.IsFloating ? unit(row++) : "default")) + ")";
        }

        /// <summary>The result's tangents with their rows: the tangent itself (row 0), or a tuple's floating elements.</summary>
        private IEnumerable<(string Tangent, int Row)> ResultTangents(string tangent)
        {
            if (primal.ReturnType.Kind != ValueKind.Tuple)
            {
                yield return (tangent, 0);
                yield break;
            }

            int row = 0;
            for (int k = 0; k < primal.ReturnType.Elements.Count; k++)
            {
                if (primal.ReturnType.Elements[k].IsFloating)
                {
                    yield return ($"{tangent}.{primal.ReturnType.ElementAccessName(k)}", row++);
                }
            }
        }

        private string ColumnOf(Parameter input) => columns.Offsets[shape.Inputs.ToList().IndexOf(input)];

        public void Emit()
        {
            jacobian = names.Fresh("jacobian");
            n = names.Fresh("n");
            m = names.Fresh("m");
            value = names.Fresh("value");
            columns = Flattened.Of(shape.Inputs.Select(p => p.Variable));
            result = names.Fresh("result");
            rows = shape.ResultIsArray
                ? Flattened.Of(shape.Outputs.Select(p => p.Variable).Prepend(new Variable(result, primal.ReturnType)))
                : Flattened.Of(shape.Outputs.Select(p => p.Variable), leading: shape.ResultScalars);

            string primalParameters = string.Join(", ", primal.Parameters.Select(p => Emitter.Modifier(p.Kind) + p.Variable.Type.CSharp + " " + Name(p.Variable)));
            string what = $"the Jacobian of <c>{model.PrimalSignature}</c>: row i, column j is ∂(output i)/∂(input j), for the inputs "
                + $"{Describe(shape.Inputs, "on entry")} and the outputs {Describe(shape.Outputs, "on exit", !shape.ResultRow ? null : shape.ResultIsArray || primal.ReturnType.Kind == ValueKind.Tuple ? "the result's elements" : "the result")}";
            var nullChecks = primal.Parameters.Where(p => p.Variable.Type.Kind == ValueKind.Array)
                .Select(p => $"global::System.ArgumentNullException.ThrowIfNull({Name(p.Variable)});").ToList();

            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// Returns {what}.");
            writer.WriteLine("/// Leaves the arguments as one call of the method does.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"[global::System.CodeDom.Compiler.GeneratedCode(\"Differentiable\", \"{Emitter.Version}\")]");
            using (writer.WriteBlock($"{model.Modifiers} {e}[,] {model.Name}Jacobian({primalParameters})"))
            {
                nullChecks.ForEach(writer.WriteLine);
                if (shape.ResultIsArray)
                {
                    Probe(Restore());
                }

                writer.WriteLine($"var {jacobian} = new {e}[{rows.Size}, {columns.Size}];");
                writer.WriteLine($"{model.Name}Jacobian({PrimalArguments}, global::Differentiable.Matrices.RowMajor({jacobian}));");
                writer.WriteLine($"return {jacobian};");
            }

            writer.WriteLine();
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// Writes {what} into <paramref name=\"{jacobian}\"/>, row-major{(returnsValue ? "; returns its value" : string.Empty)}.");
            writer.WriteLine($"/// <paramref name=\"{jacobian}\"/> must hold exactly m × n elements. Reverse mode by rows when m &lt; n, else forward mode by columns.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"[global::System.CodeDom.Compiler.GeneratedCode(\"Differentiable\", \"{Emitter.Version}\")]");
            using (writer.WriteBlock($"{model.Modifiers} {primal.ReturnType.CSharp} {model.Name}Jacobian({primalParameters}, global::System.Span<{e}> {jacobian})"))
            {
                nullChecks.ForEach(writer.WriteLine);

                // Every sweep runs the method's own writes: each starts from the values on entry.
                var restore = Restore();
                if (shape.ResultIsArray)
                {
                    Probe(restore, release: false);
                }

                writer.WriteLine($"int {n} = {columns.Size}, {m} = {rows.Size};");
                writer.WriteLine($"global::Differentiable.Matrices.CheckLength({jacobian}, {m}, {n}, nameof({jacobian}));");
                // A count with a scalar in it is at least 1; one of array lengths alone may be 0.
                var empty = new[] { (Size: columns.Size, Name: n), (Size: rows.Size, Name: m) }.Where(c => !char.IsDigit(c.Size[0])).Select(c => c.Name + " == 0").ToList();
                if (empty.Count > 0)
                {
                    using (writer.WriteBlock($"if ({string.Join(" || ", empty)})"))
                    {
                        Releases(restore);
                        writer.WriteLine(returnsValue ? $"return {model.Name}({PrimalArguments});" : $"{model.Name}({PrimalArguments});");
                        if (!returnsValue)
                        {
                            writer.WriteLine("return;");
                        }
                    }

                    writer.WriteLine();
                }

                foreach (Parameter output in primal.Parameters.Where(p => p.Kind == ParameterKind.Out))
                {
                    writer.WriteLine($"{Name(output.Variable)} = default; // every sweep sets it");
                }

                writer.WriteLine($"{jacobian}.Clear();");
                if (returnsValue)
                {
                    writer.WriteLine($"{primal.ReturnType.CSharp} {value} = {(shape.ResultIsArray ? "null!" : primal.ReturnType.IsFloating ? zero : "default")};");
                }

                IrFunction? byColumns = widened ?? jvp;
                bool constant = int.TryParse(columns.Size, out int columnCount) & int.TryParse(rows.Size, out int rowCount);
                if (byColumns is not null && shape.ManyOutputs && constant)
                {
                    if (rowCount < columnCount)
                    {
                        RowsBy(restore);
                    }
                    else
                    {
                        Columns(restore, byColumns, widened is not null);
                    }
                }
                else if (byColumns is not null && shape.ManyOutputs)
                {
                    using (writer.WriteBlock($"if ({m} < {n})"))
                    {
                        RowsBy(restore);
                    }

                    using (writer.WriteBlock("else"))
                    {
                        Columns(restore, byColumns, widened is not null);
                    }
                }
                else
                {
                    RowsBy(restore);
                }

                if (returnsValue || restore.Any(r => r.Release.Length > 0))
                {
                    writer.WriteLine();
                }

                Releases(restore);
                if (returnsValue)
                {
                    writer.WriteLine($"return {value};");
                }
            }
        }

        private void Releases(List<(string Put, string Release)> restore) =>
            restore.Where(r => r.Release.Length > 0).ToList().ForEach(r => writer.WriteLine(r.Release));

        /// <summary>
        /// An array result's length is its number of rows, known once the method has run: one call to learn it, then the
        /// arguments it wrote are put back.
        /// </summary>
        private void Probe(List<(string Put, string Release)> restore, bool release = true)
        {
            writer.WriteLine($"// The result's length is the number of its rows: one call of {model.Name} tells it.");
            writer.WriteLine($"var {result} = {model.Name}({PrimalArguments});");
            Put(restore);
            if (release)
            {
                Releases(restore);
            }
        }

        /// <summary>The arguments a sweep writes, saved on entry: how to put them back before a sweep, and to release the copy.</summary>
        private List<(string Put, string Release)> Restore()
        {
            var written = Activity.WrittenBuffers(primal.Body);
            var restore = new List<(string Put, string Release)>();
            foreach (Parameter parameter in primal.Parameters)
            {
                Variable v = parameter.Variable;
                if (v.Type.IsBuffer && written.Contains(v))
                {
                    string initial = names.Fresh(v.Name + "OnEntry");
                    writer.WriteLine($"var {initial} = global::Differentiable.Shadows.Stash<{v.Type.ElementType.CSharp}>({Name(v)});");
                    restore.Add(($"global::System.MemoryExtensions.AsSpan({initial}, 0, {Name(v)}.Length).CopyTo({Name(v)});", $"global::Differentiable.Shadows.Return({initial});"));
                }
                else if (parameter.Kind == ParameterKind.Ref)
                {
                    string initial = names.Fresh(v.Name + "OnEntry");
                    writer.WriteLine($"var {initial} = {Name(v)};");
                    restore.Add(($"{Name(v)} = {initial};", string.Empty));
                }
            }

            return restore;
        }

        private void Put(List<(string Put, string Release)> restore) => restore.ForEach(r => writer.WriteLine(r.Put));

        private void RowsBy(List<(string Put, string Release)> restore) =>
            Rows(restore, widenedVjp ?? vjp, widenedVjp is not null);

        /// <summary>
        /// Rows i.. of the Jacobian are e_iᵀ·J…: one <c>{M}Vjp</c> sweep per W unit cotangents (the widened one carries them in
        /// its lanes; W = 1 without it), each input's adjoint going into its column(s).
        /// </summary>
        private void Rows(List<(string Put, string Release)> restore, IrFunction reverse, bool wide)
        {
            int width = wide ? IrType.LaneCount(shape.Element) : 1;
            string derivativeType = wide ? IrType.Lanes(shape.Element).CSharp : e;
            string i = names.Fresh("i"), count = names.Fresh("count");
            var shadows = new Dictionary<Parameter, string>();
            var rented = new List<string>();
            string Shadow(string name, string length)
            {
                string array = names.Fresh(name + (wide ? "Lanes" : "Scratch"));
                string span = names.Fresh(name);
                rented.Add(array);
                writer.WriteLine($"var {array} = global::Differentiable.Shadows.Rent<{derivativeType}>({length});");
                writer.WriteLine($"var {span} = global::System.MemoryExtensions.AsSpan({array}, 0, {length});");
                return span;
            }

            // The unit cotangent of output row `row` for the rows of this sweep; seeding a shadow whose elements are the rows from `offset`.
            string Unit(string row) => wide ? $"global::Differentiable.Lanes.Unit<{e}>({row}, {i}, {count})" : $"{i} == {row} ? {one} : {zero}";
            string Seed(string shadow, string offset) => wide
                ? $"global::Differentiable.Lanes.Seed<{e}>({shadow}, {offset}, {i}, {count});"
                : $"global::Differentiable.Matrices.Seed<{e}>({shadow}, {offset}, {i});";

            string resultSeed = shape.ResultIsArray ? Shadow("dResult", $"{result}.Length") : string.Empty;
            foreach (Parameter input in shape.Inputs.Where(p => p.Variable.Type.IsBuffer && (wide || shape.Outputs.Contains(p))))
            {
                shadows[input] = Shadow("d" + input.Variable.Name, $"{Name(input.Variable)}.Length");
            }

            writer.WriteLine(wide
                ? $"// Rows i to i + {width - 1} of the Jacobian are e_iᵀ·J…: one widened {model.Name}Vjp sweep carries {width} unit cotangents in its lanes."
                : $"// Row i of the Jacobian is e_iᵀ·J: one {model.Name}Vjp sweep with the unit cotangent e_i on the outputs.");
            using (writer.WriteBlock(wide ? $"for (int {i} = 0; {i} < {m}; {i} += {width})" : $"for (int {i} = 0; {i} < {m}; {i}++)"))
            {
                if (wide)
                {
                    writer.WriteLine($"int {count} = global::System.Math.Min({width}, {m} - {i});");
                }

                Put(restore);
                var arguments = new List<string>(primal.Parameters.Select(p => Emitter.Modifier(p.Kind) + Name(p.Variable)));
                if (shape.ResultIsArray)
                {
                    writer.WriteLine(Seed(resultSeed, "0"));
                    arguments.Add(resultSeed);
                }
                else if (returnsValue)
                {
                    arguments.Add(ResultCotangent(row => Unit(row.ToString(System.Globalization.CultureInfo.InvariantCulture))));
                }

                arguments.AddRange(shape.Outputs.Where(p => p.Kind == ParameterKind.Out).Select(p => Unit(RowOf(p))));
                var after = new List<string>();
                foreach (Parameter input in shape.Inputs)
                {
                    Variable v = input.Variable;
                    string column = ColumnOf(input);
                    string at = column == "0" ? $"{i} * {n}" : $"{i} * {n} + {column}";
                    if (v.Type.IsBuffer && shadows.TryGetValue(input, out string? shadow))
                    {
                        // A written array's shadow holds the cotangent of its final contents on entry, the adjoint of its
                        // initial ones on exit; a read one's starts at zero.
                        writer.WriteLine(shape.Outputs.Contains(input) ? Seed(shadow, RowOf(input)) : $"{shadow}.Clear();");
                        arguments.Add(shadow);
                        after.Add(wide
                            ? $"global::Differentiable.Lanes.CopyDown<{e}>({shadow}, {jacobian}, {i}, {n}, {column}, {count});"
                            : $"{shadow}.CopyTo({jacobian}.Slice({at}, {Name(v)}.Length));");
                    }
                    else if (v.Type.IsBuffer)
                    {
                        arguments.Add($"{jacobian}.Slice({at}, {Name(v)}.Length)"); // the row is zero: the adjoint accumulates into it
                    }
                    else if (input.Kind == ParameterKind.Ref || wide)
                    {
                        string adjoint = names.Fresh("d" + v.Name);
                        if (input.Kind == ParameterKind.Ref)
                        {
                            writer.WriteLine($"{derivativeType} {adjoint} = {Unit(RowOf(input))};");
                            arguments.Add("ref " + adjoint);
                        }
                        else
                        {
                            arguments.Add($"out {derivativeType} {adjoint}");
                        }

                        after.Add(wide
                            ? $"global::Differentiable.Lanes.CopyDown({adjoint}, {jacobian}, {i}, {n}, {column}, {count});"
                            : $"{jacobian}[{at}] = {adjoint};");
                    }
                    else
                    {
                        arguments.Add($"out {jacobian}[{at}]");
                    }
                }

                string call = $"{reverse.Name}({string.Join(", ", arguments)});";
                writer.WriteLine(returnsValue ? $"{value} = {call}" : call);
                after.ForEach(writer.WriteLine);
            }

            if (rented.Count > 0)
            {
                writer.WriteLine();
            }

            rented.ForEach(r => writer.WriteLine($"global::Differentiable.Shadows.Return({r});"));
        }

        /// <summary>Columns j.. of the Jacobian are J·e_j..: one Jvp sweep per W unit directions (W = 1 without a widened one).</summary>
        private void Columns(List<(string Put, string Release)> restore, IrFunction forward, bool wide)
        {
            int width = wide ? IrType.LaneCount(shape.Element) : 1;
            string lanes = IrType.Lanes(shape.Element).CSharp;
            string tangentType = wide ? lanes : e;
            string j = names.Fresh("j"), count = names.Fresh("count"), tangent = names.Fresh("tangent"), valueOfSweep = names.Fresh("valueOfSweep");
            var tangents = new Dictionary<Parameter, string>();
            var rented = new List<string>();
            foreach (Parameter input in shape.Inputs)
            {
                string name = names.Fresh("d" + input.Variable.Name);
                tangents[input] = name;
                if (input.Variable.Type.IsBuffer)
                {
                    string array = names.Fresh(name + "Directions");
                    rented.Add(array);
                    writer.WriteLine($"var {array} = global::Differentiable.Shadows.Rent<{tangentType}>({Name(input.Variable)}.Length);");
                    writer.WriteLine($"var {name} = global::System.MemoryExtensions.AsSpan({array}, 0, {Name(input.Variable)}.Length);");
                }
                else
                {
                    writer.WriteLine($"{tangentType} {name};");
                }
            }

            foreach (Parameter output in shape.Outputs.Where(p => p.Kind == ParameterKind.Out))
            {
                tangents[output] = names.Fresh("d" + output.Variable.Name);
                writer.WriteLine($"{tangentType} {tangents[output]};");
            }

            writer.WriteLine(wide
                ? $"// Columns j to j + {width - 1} of the Jacobian are J·e_j…: one widened {model.Name}Jvp sweep carries {width} unit directions in its lanes."
                : $"// Column j of the Jacobian is J·e_j: one {model.Name}Jvp sweep along each unit direction.");
            using (writer.WriteBlock($"for (int {j} = 0; {j} < {n}; {j} += {width})"))
            {
                if (wide)
                {
                    writer.WriteLine($"int {count} = global::System.Math.Min({width}, {n} - {j});");
                }

                Put(restore);
                foreach (Parameter input in shape.Inputs)
                {
                    string column = ColumnOf(input);
                    writer.WriteLine(input.Variable.Type.IsBuffer
                        ? wide
                            ? $"global::Differentiable.Lanes.Seed<{e}>({tangents[input]}, {column}, {j}, {count});"
                            : $"global::Differentiable.Matrices.Seed<{e}>({tangents[input]}, {column}, {j});"
                        : wide
                            ? $"{tangents[input]} = global::Differentiable.Lanes.Unit<{e}>({column}, {j}, {count});"
                            : $"{tangents[input]} = {j} == {column} ? {one} : {zero};");
                }

                var arguments = new List<string>(primal.Parameters.Select(p => Emitter.Modifier(p.Kind) + Name(p.Variable)));
                arguments.AddRange(shape.Inputs.Select(p => (p.Kind == ParameterKind.Ref ? "ref " : string.Empty) + tangents[p]));
                arguments.AddRange(primal.Parameters.Where(p => p.Kind == ParameterKind.Out && p.Variable.Type.IsFloating)
                    .Select(p => tangents.TryGetValue(p, out string? t) ? "out " + t : "out _"));
                string call = $"{forward.Name}({string.Join(", ", arguments)})";
                writer.WriteLine(returnsValue ? $"(var {valueOfSweep}, var {tangent}) = {call};" : call + ";");
                if (returnsValue)
                {
                    writer.WriteLine($"{value} = {valueOfSweep};");
                }

                string Copy(string derivative, string row) => wide
                    ? $"global::Differentiable.Lanes.CopyTo({derivative}, {jacobian}.Slice({Times(row)}{j}, {count}), {count});"
                    : $"{jacobian}[{Times(row)}{j}] = {derivative};";
                if (shape.ResultIsArray)
                {
                    writer.WriteLine(wide
                        ? $"global::Differentiable.Lanes.CopyTo<{e}>({tangent}, {jacobian}, 0, {n}, {j}, {count});"
                        : $"global::Differentiable.Matrices.CopyColumn<{e}>({tangent}, {jacobian}, 0, {n}, {j});");
                }
                else if (shape.ResultRow)
                {
                    foreach ((string element, int row) in ResultTangents(tangent))
                    {
                        writer.WriteLine(Copy(element, row.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }

                foreach (Parameter output in shape.Outputs)
                {
                    writer.WriteLine(output.Variable.Type.IsBuffer
                        ? wide
                            ? $"global::Differentiable.Lanes.CopyTo<{e}>({tangents[output]}, {jacobian}, {RowOf(output)}, {n}, {j}, {count});"
                            : $"global::Differentiable.Matrices.CopyColumn<{e}>({tangents[output]}, {jacobian}, {RowOf(output)}, {n}, {j});"
                        : Copy(tangents[output], RowOf(output)));
                }
            }

            if (rented.Count > 0)
            {
                writer.WriteLine();
            }

            rented.ForEach(r => writer.WriteLine($"global::Differentiable.Shadows.Return({r});"));
        }

        /// <summary><c>(row) * n + </c>, or nothing for row 0.</summary>
        private string Times(string row) => row == "0" ? string.Empty : row.Contains(" ") ? $"({row}) * {n} + " : $"{row} * {n} + ";

        private static string Describe(IReadOnlyList<Parameter> parameters, string when, string? result = null)
        {
            var parts = (result is not null ? [result] : new List<string>())
                .Concat(parameters.Select(p => p.Variable.Type.IsBuffer ? $"{p.Variable.Name}'s elements {when}" : $"{p.Variable.Name} {when}")).ToList();
            return "(" + string.Join(", ", parts) + ", in this order)";
        }
    }
}
