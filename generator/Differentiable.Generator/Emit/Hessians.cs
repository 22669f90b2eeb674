using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Emit;

/// <summary>
/// <c>{M}Hessian</c>: the n × n matrix of second derivatives over the method's n differentiable inputs (floating
/// parameters one each, arrays and spans their elements, in parameter order), row by row from <c>{M}Hvp</c> along each unit
/// direction (the Hessian is symmetric, so H·e_j is row j), made exactly symmetric at the end.
/// </summary>
internal static class Hessians
{
    public static void Emit(CodeWriter writer, MethodModel model, IrFunction primal, IrFunction hvp, IrFunction? widened = null)
    {
        var inputs = primal.Parameters.Where(p => p.IsDifferentiable && p.Variable.Type.CarriesDerivative).Select(p => p.Variable).ToList();
        int count = primal.Parameters.Count;
        var directions = hvp.Parameters.Skip(count).Take(inputs.Count).Select(p => p.Variable).ToList();
        var gradients = hvp.Parameters.Skip(count + inputs.Count).Take(inputs.Count).Select(p => p.Variable).ToList();

        var names = new NameScope(primal.Parameters.Select(p => p.Variable.Name).Concat([model.Name, model.Name + "Hvp"]));
        string hessian = names.Fresh("hessian"), size = names.Fresh("size"), value = names.Fresh("value"), row = names.Fresh("row"), k = names.Fresh("k");
        var directionNames = directions.Select(d => names.Fresh(d.Name)).ToList();
        var gradientNames = gradients.Select(d => names.Fresh(d.Name)).ToList();

        IrType element = primal.ReturnType;
        string e = element.CSharp, one = element.Kind == ValueKind.Float ? "1f" : "1.0", zero = element.Kind == ValueKind.Float ? "0f" : "0.0";
        int scalars = inputs.Count(v => !v.Type.IsBuffer);
        Flattened flattened = Flattened.Of(inputs);
        string sizeExpression = flattened.Size;
        string primalParameters = string.Join(", ", primal.Parameters.Select(p => p.Variable.Type.CSharp + " " + CSharpPrinter.Name(p.Variable)));
        string primalArguments = string.Join(", ", primal.Parameters.Select(p => CSharpPrinter.Name(p.Variable)));
        string what = $"the Hessian of <c>{model.PrimalSignature}</c>: the matrix of its second derivatives over its inputs "
            + $"({string.Join(", ", inputs.Select(v => v.Type.IsBuffer ? v.Name + "'s elements" : v.Name))}, in this order)";

        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// Returns {what}, exactly symmetric.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine($"[global::System.CodeDom.Compiler.GeneratedCode(\"Differentiable\", \"{Emitter.Version}\")]");
        // A null array is an ArgumentNullException naming it, before its length is read.
        var nullChecks = primal.Parameters.Where(p => p.Variable.Type.Kind == ValueKind.Array)
            .Select(p => $"global::System.ArgumentNullException.ThrowIfNull({CSharpPrinter.Name(p.Variable)});").ToList();
        using (writer.WriteBlock($"{model.Modifiers} {e}[,] {model.Name}Hessian({primalParameters})"))
        {
            nullChecks.ForEach(writer.WriteLine);
            writer.WriteLine($"int {size} = {sizeExpression};");
            writer.WriteLine($"var {hessian} = new {e}[{size}, {size}];");
            writer.WriteLine($"{model.Name}Hessian({primalArguments}, global::Differentiable.Matrices.RowMajor({hessian}));");
            writer.WriteLine($"return {hessian};");
        }

        writer.WriteLine();
        writer.WriteLine("/// <summary>");
        writer.WriteLine($"/// Writes {what} into <paramref name=\"{hessian}\"/>, row-major, exactly symmetric; returns its value.");
        writer.WriteLine($"/// <paramref name=\"{hessian}\"/> must hold exactly n × n elements.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine($"[global::System.CodeDom.Compiler.GeneratedCode(\"Differentiable\", \"{Emitter.Version}\")]");
        using (writer.WriteBlock($"{model.Modifiers} {e} {model.Name}Hessian({primalParameters}, global::System.Span<{e}> {hessian})"))
        {
            nullChecks.ForEach(writer.WriteLine);
            writer.WriteLine($"int {size} = {sizeExpression};");
            writer.WriteLine($"global::Differentiable.Matrices.CheckLength({hessian}, {size}, {size}, nameof({hessian}));");
            if (scalars == 0)
            {
                using (writer.WriteBlock($"if ({size} == 0)"))
                {
                    writer.WriteLine($"return {model.Name}({primalArguments});");
                }
            }

            if (widened is not null)
            {
                WidenedRows(writer, model, primal, inputs, flattened, widened, names, hessian, size, value);
                return;
            }

            // The directions start at zero; each sweep sets one of them to 1. The gradient's shadows are scratch.
            for (int i = 0; i < inputs.Count; i++)
            {
                writer.WriteLine(inputs[i].Type.IsBuffer
                    ? $"var {directionNames[i]} = new {e}[{CSharpPrinter.Name(inputs[i])}.Length];"
                    : $"{e} {directionNames[i]} = {zero};");
                if (inputs[i].Type.IsBuffer)
                {
                    writer.WriteLine($"var {gradientNames[i]} = new {e}[{CSharpPrinter.Name(inputs[i])}.Length];");
                }
            }

            writer.WriteLine($"{e} {value} = {zero};");
            writer.WriteLine($"{hessian}.Clear();");
            writer.WriteLine($"int {row} = 0;");
            writer.WriteLine($"// Row j of the Hessian is H·e_j (it is symmetric): one {model.Name}Hvp sweep along each unit direction e_j.");
            string Call()
            {
                var arguments = new List<string>(primal.Parameters.Select(p => CSharpPrinter.Name(p.Variable)));
                arguments.AddRange(directionNames);
                arguments.AddRange(inputs.Select((v, i) => v.Type.IsBuffer ? gradientNames[i] : "out _"));
                for (int i = 0; i < inputs.Count; i++)
                {
                    string offset = flattened.Offsets[i];
                    string at = offset == "0" ? $"{row} * {size}" : $"{row} * {size} + {offset}";
                    arguments.Add(inputs[i].Type.IsBuffer ? $"{hessian}.Slice({at}, {CSharpPrinter.Name(inputs[i])}.Length)" : $"out {hessian}[{at}]");
                }

                return $"{value} = {model.Name}Hvp({string.Join(", ", arguments)});";
            }

            for (int i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].Type.IsBuffer)
                {
                    using (writer.WriteBlock($"for (int {k} = 0; {k} < {CSharpPrinter.Name(inputs[i])}.Length; {k}++)"))
                    {
                        writer.WriteLine($"{directionNames[i]}[{k}] = {one};");
                        writer.WriteLine(Call());
                        writer.WriteLine($"{directionNames[i]}[{k}] = {zero};");
                        writer.WriteLine($"{row}++;");
                    }
                }
                else
                {
                    writer.WriteLine($"{directionNames[i]} = {one};");
                    writer.WriteLine(Call());
                    writer.WriteLine($"{directionNames[i]} = {zero};");
                    writer.WriteLine($"{row}++;");
                }
            }

            writer.WriteLine();
            writer.WriteLine($"global::Differentiable.Matrices.Symmetrize({hessian}, {size});");
            writer.WriteLine($"return {value};");
        }
    }

    /// <summary>
    /// The rows by the widened <c>{M}Hvp</c>: W unit directions per sweep, one in each lane; lane l of the products is row
    /// j + l (the Hessian is symmetric), written down its columns. Directions, products and the gradient's scratch shadows
    /// are pooled.
    /// </summary>
    private static void WidenedRows(CodeWriter writer, MethodModel model, IrFunction primal, List<Variable> inputs, Flattened flattened, IrFunction widened, NameScope names, string hessian, string size, string value)
    {
        IrType element = primal.ReturnType;
        string e = element.CSharp, zero = element.Kind == ValueKind.Float ? "0f" : "0.0", lanes = IrType.Lanes(element).CSharp;
        int width = IrType.LaneCount(element);
        string j = names.Fresh("j"), count = names.Fresh("count");
        var directions = new List<string>();
        var products = new List<string>();
        var gradients = new List<string>();
        var rented = new List<string>();
        string Rent(string name, string type, string length)
        {
            string array = names.Fresh(name + "Pooled");
            string span = names.Fresh(name);
            rented.Add(array);
            writer.WriteLine($"var {array} = global::Differentiable.Shadows.Rent<{type}>({length});");
            writer.WriteLine($"var {span} = global::System.MemoryExtensions.AsSpan({array}, 0, {length});");
            return span;
        }

        foreach (Variable input in inputs)
        {
            string length = CSharpPrinter.Name(input) + ".Length";
            if (input.Type.IsBuffer)
            {
                directions.Add(Rent("v" + input.Name, lanes, length));
                gradients.Add(Rent("d" + input.Name, e, length));
                products.Add(Rent("h" + input.Name, lanes, length));
            }
            else
            {
                directions.Add(names.Fresh("v" + input.Name));
                gradients.Add("out _");
                products.Add(names.Fresh("h" + input.Name));
                writer.WriteLine($"{lanes} {directions[directions.Count - 1]};");
            }
        }

        writer.WriteLine($"{e} {value} = {zero};");
        writer.WriteLine($"{hessian}.Clear();");
        writer.WriteLine($"// Rows j to j + {width - 1} of the Hessian are H·e_j… (it is symmetric): one widened {model.Name}Hvp sweep carries {width} unit directions in its lanes.");
        using (writer.WriteBlock($"for (int {j} = 0; {j} < {size}; {j} += {width})"))
        {
            writer.WriteLine($"int {count} = global::System.Math.Min({width}, {size} - {j});");
            var arguments = new List<string>(primal.Parameters.Select(p => CSharpPrinter.Name(p.Variable)));
            for (int i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].Type.IsBuffer)
                {
                    writer.WriteLine($"global::Differentiable.Lanes.Seed<{e}>({directions[i]}, {flattened.Offsets[i]}, {j}, {count});");
                    writer.WriteLine($"{products[i]}.Clear();");
                }
                else
                {
                    writer.WriteLine($"{directions[i]} = global::Differentiable.Lanes.Unit<{e}>({flattened.Offsets[i]}, {j}, {count});");
                }
            }

            arguments.AddRange(directions);
            arguments.AddRange(gradients);
            arguments.AddRange(inputs.Select((v, i) => v.Type.IsBuffer ? products[i] : $"out {lanes} {products[i]}"));
            writer.WriteLine($"{value} = {widened.Name}({string.Join(", ", arguments)});");
            for (int i = 0; i < inputs.Count; i++)
            {
                writer.WriteLine(inputs[i].Type.IsBuffer
                    ? $"global::Differentiable.Lanes.CopyDown<{e}>({products[i]}, {hessian}, {j}, {size}, {flattened.Offsets[i]}, {count});"
                    : $"global::Differentiable.Lanes.CopyDown({products[i]}, {hessian}, {j}, {size}, {flattened.Offsets[i]}, {count});");
            }
        }

        writer.WriteLine();
        rented.ForEach(r => writer.WriteLine($"global::Differentiable.Shadows.Return({r});"));
        writer.WriteLine($"global::Differentiable.Matrices.Symmetrize({hessian}, {size});");
        writer.WriteLine($"return {value};");
    }
}
