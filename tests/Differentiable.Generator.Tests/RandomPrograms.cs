using System.Globalization;
using System.Text;

namespace Differentiable.Generator.Tests;

/// <summary>
/// Writes random [Differentiable] functions the way people write numerical C#: locals, reassignment, compound assignment,
/// <c>if</c>/<c>else</c>, the conditional operator, counted and general loops with <c>break</c> and <c>continue</c>,
/// in-place array updates, <c>ref</c> locals, <c>foreach</c> (left early too), early returns, and calls to [Differentiable]
/// helpers (scalar, with out and ref arguments, looping over a read-only array, writing a span; small ones the generator
/// inlines and larger ones it calls). Every
/// function it writes uses only constructs the README lists as supported, so the generator must accept all of them.
/// </summary>
/// <remarks>
/// A function is <c>double F(double x0, …, double[] a0, …, int n)</c>; alongside it come plain wrappers over flattened
/// inputs and outputs (scalars, then array elements; the result, then the final contents of the arrays it writes) that
/// call the primal, <c>FJvp</c> and <c>FVjp</c>, so a test can check them with nothing but <c>double[]</c>.
/// </remarks>
internal sealed class RandomPrograms
{
    /// <summary>The length of every array argument the wrappers pass (constant indices stay below it).</summary>
    public const int ArrayLength = 3;

    /// <summary>One generated function: its name, its parameters, and which arrays it may write.</summary>
    public sealed record Function(string Name, int Scalars, int Arrays, bool HasCount, bool[] Written, string Source)
    {
        public int Inputs => Scalars + Arrays * ArrayLength;

        public int Outputs => 1 + Written.Count(w => w) * ArrayLength;
    }

    /// <summary>The helpers every program may call; the "Big" ones allocate, so the generator calls them instead of inlining.</summary>
    public const string Helpers = """
            [Differentiable]
            public static double HScalar(double p, double q) => Math.Sin(p) * q + p * p * 0.25;

            [Differentiable]
            public static double HLoop(double y, double[] a)
            {
                double s = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    s += Math.Sin(y * a[i]) * a[i];
                }

                return s;
            }

            [Differentiable]
            public static double HLoopBig(double y, double[] a)
            {
                var t = new double[a.Length];
                double s = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    t[i] = y * a[i];
                    s += Math.Cos(t[i]) + t[i] * a[i];
                }

                return s;
            }

            [Differentiable]
            public static double HSpan(ReadOnlySpan<double> a, double c)
            {
                double s = c;
                foreach (double e in a)
                {
                    s = s * 0.5 + Math.Tanh(e * c);
                }

                return s;
            }

            [Differentiable]
            public static double HOut(double p, double q, out double r)
            {
                r = p * q + Math.Cos(q);
                return Math.Sin(p) + r * 0.5;
            }

            [Differentiable]
            public static void HRef(double p, ref double s)
            {
                s = s * 0.5 + Math.Sin(p * s);
            }

            [Differentiable]
            public static void HWrite(Span<double> a, double c)
            {
                for (int i = 0; i < a.Length; i++)
                {
                    a[i] = a[i] * 0.5 + c * Math.Cos(a[i]);
                }
            }

            [Differentiable]
            public static void HWriteBig(Span<double> a, double c)
            {
                var old = new double[a.Length];
                for (int i = 0; i < a.Length; i++)
                {
                    old[i] = a[i];
                }

                for (int i = 0; i < a.Length; i++)
                {
                    a[i] = Math.Sin(old[i]) + c * old[(i + 1) % a.Length];
                }
            }
        """;

    private readonly Random random;
    private readonly StringBuilder code = new();
    private int indent;
    private int counter;

    // What is in scope while a body is written.
    private readonly List<string> doubles = new();
    private readonly List<string> arrays = new();
    private readonly List<string> indices = new();
    private bool[] written = [];
    private int loopDepth;
    private int statements;
    private bool hasCount;

    private RandomPrograms(Random random) => this.random = random;

    /// <summary>Writes <paramref name="count"/> functions named <c>F0</c>, <c>F1</c>…</summary>
    public static List<Function> Write(int seed, int count)
    {
        var writer = new RandomPrograms(new Random(seed));
        return Enumerable.Range(0, count).Select(i => writer.WriteFunction("F" + i.ToString(CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The class holding the functions and the helpers.</summary>
    public static string Class(string name, IEnumerable<Function> functions) =>
        "using System;\nusing Differentiable;\n\npublic static partial class " + name + "\n{\n" + Helpers + "\n"
        + string.Concat(functions.Select(f => f.Source)) + "}\n";

    /// <summary>
    /// The wrappers over flattened inputs and outputs: <c>{F}_Primal(x)</c>, <c>{F}_Jvp(x, v, out tangent)</c>, and
    /// <c>{F}_Vjp(x, u, out gradient)</c> and <c>{F}_Jacobian(x, out jacobian)</c>, each returning the outputs (result, then
    /// final contents of written arrays).
    /// </summary>
    public static string Wrappers(string className, IEnumerable<Function> functions, int count)
    {
        var s = new StringBuilder("public static class " + className + "Wrappers\n{\n");
        foreach (Function f in functions)
        {
            var scalars = Enumerable.Range(0, f.Scalars).Select(i => $"x[{i}]").ToList();
            var arrays = Enumerable.Range(0, f.Arrays).Select(i => $"a{i}").ToList();
            string unpack = string.Concat(Enumerable.Range(0, f.Arrays).Select(i =>
                $"        double[] a{i} = x[{f.Scalars + i * ArrayLength}..{f.Scalars + (i + 1) * ArrayLength}];\n"));
            string countArgument = f.HasCount ? ", " + count.ToString(CultureInfo.InvariantCulture) : string.Empty;
            string primalArguments = string.Join(", ", scalars.Concat(arrays)) + countArgument;
            string outputs = "[value" + string.Concat(Enumerable.Range(0, f.Arrays).Where(i => f.Written[i]).Select(i => $", .. a{i}")) + "]";

            s.Append($"    public static double[] {f.Name}_Primal(double[] x)\n    {{\n{unpack}        double value = {className}.{f.Name}({primalArguments});\n        return {outputs};\n    }}\n\n");

            // Forward mode: tangents after the primal arguments, a written array's tangent holding the initial one on entry.
            string tangentUnpack = string.Concat(Enumerable.Range(0, f.Arrays).Select(i =>
                $"        double[] da{i} = v[{f.Scalars + i * ArrayLength}..{f.Scalars + (i + 1) * ArrayLength}];\n"));
            var tangents = Enumerable.Range(0, f.Scalars).Select(i => $"v[{i}]").Concat(Enumerable.Range(0, f.Arrays).Select(i => $"da{i}"));
            string tangentOutputs = "[dvalue" + string.Concat(Enumerable.Range(0, f.Arrays).Where(i => f.Written[i]).Select(i => $", .. da{i}")) + "]";
            s.Append($"    public static double[] {f.Name}_Jvp(double[] x, double[] v, out double[] tangent)\n    {{\n{unpack}{tangentUnpack}"
                + $"        var (value, dvalue) = {className}.{f.Name}Jvp({primalArguments}, {string.Join(", ", tangents)});\n"
                + $"        tangent = {tangentOutputs};\n        return {outputs};\n    }}\n\n");

            // Reverse mode: a written array's shadow holds the cotangent of its final contents on entry, every shadow the
            // adjoint of the initial contents on exit.
            var shadowInit = new StringBuilder();
            int offset = 1;
            for (int i = 0; i < f.Arrays; i++)
            {
                if (f.Written[i])
                {
                    shadowInit.Append($"        double[] da{i} = u[{offset}..{offset + ArrayLength}];\n");
                    offset += ArrayLength;
                }
                else
                {
                    shadowInit.Append($"        double[] da{i} = new double[{ArrayLength}];\n");
                }
            }

            var adjoints = Enumerable.Range(0, f.Scalars).Select(i => $"out double dx{i}").Concat(Enumerable.Range(0, f.Arrays).Select(i => $"da{i}"));
            string gradient = "[" + string.Join(", ", Enumerable.Range(0, f.Scalars).Select(i => $"dx{i}").Concat(Enumerable.Range(0, f.Arrays).Select(i => $".. da{i}"))) + "]";
            s.Append($"    public static double[] {f.Name}_Vjp(double[] x, double[] u, out double[] gradient)\n    {{\n{unpack}{shadowInit}"
                + $"        double value = {className}.{f.Name}Vjp({primalArguments}, u[0], {string.Join(", ", adjoints)});\n"
                + $"        gradient = {gradient};\n        return {outputs};\n    }}\n\n");

            // The whole Jacobian in one call, row-major into caller storage (outputs × inputs, flattened as above).
            s.Append($"    public static double[] {f.Name}_Jacobian(double[] x, out double[] jacobian)\n    {{\n{unpack}"
                + $"        jacobian = new double[{f.Outputs} * {f.Inputs}];\n"
                + $"        double value = {className}.{f.Name}Jacobian({primalArguments}, jacobian);\n"
                + $"        return {outputs};\n    }}\n\n");
        }

        return s.Append("}\n").ToString();
    }

    // ------------------------------------------------------------ functions

    private Function WriteFunction(string name)
    {
        code.Clear();
        doubles.Clear();
        arrays.Clear();
        indices.Clear();
        counter = 0;
        statements = 0;
        loopDepth = 0;
        int scalars = random.Next(1, 4);
        int arrayCount = random.Next(0, 3);
        hasCount = random.Next(3) == 0;
        written = new bool[arrayCount];
        var parameters = new List<string>();
        for (int i = 0; i < scalars; i++)
        {
            parameters.Add($"double x{i}");
            doubles.Add($"x{i}");
        }

        for (int i = 0; i < arrayCount; i++)
        {
            parameters.Add($"double[] a{i}");
            arrays.Add($"a{i}");
        }

        if (hasCount)
        {
            parameters.Add("int n");
        }

        indent = 1;
        Line("[Differentiable]");
        Line($"public static double {name}({string.Join(", ", parameters)})");
        Line("{");
        indent++;
        if (arrayCount > 0 && random.Next(3) == 0)
        {
            // A local array, created once at the top (the only place the generator allows it).
            string local = "t" + counter++;
            Line($"var {local} = new double[{arrays[0]}.Length];");
            Line($"for (int i = 0; i < {local}.Length; i++)");
            Line("{");
            indent++;
            Line($"{local}[i] = {arrays[0]}[i] * {Constant()};");
            indent--;
            Line("}");
            arrays.Add(local);
        }

        Block(depth: 0, count: random.Next(2, 6), topLevel: true);
        Line($"return {Expression(2)};");
        indent--;
        Line("}");
        Line(string.Empty);
        return new Function(name, scalars, arrayCount, hasCount, written, code.ToString());
    }

    private void Block(int depth, int count, bool topLevel = false)
    {
        int scopeDoubles = doubles.Count;
        for (int i = 0; i < count && statements < 40; i++)
        {
            Statement(depth, topLevel);
        }

        doubles.RemoveRange(scopeDoubles, doubles.Count - scopeDoubles);
    }

    private void Statement(int depth, bool topLevel)
    {
        statements++;
        int choice = random.Next(depth >= 2 ? 7 : 20);
        switch (choice)
        {
            case 0:
            case 1:
            {
                string local = "v" + counter++;
                Line($"double {local} = {Expression(2)};");
                doubles.Add(local);
                break;
            }

            case 2:
                Line($"{Pick(doubles)} = {Update()};");
                break;
            case 3:
                Line($"{Pick(doubles)} {Pick(["+=", "-="])} {Update()};");
                break;
            case 4:
                Line($"{Pick(doubles)} *= {Bounded()};");
                break;
            case 5 when arrays.Count > 0:
            {
                string array = Pick(arrays);
                Written(array);
                Line($"{array}[{Index()}] {Pick(["=", "+=", "-="])} {Update()};");
                break;
            }

            case 6 when arrays.Count > 0:
            {
                string array = Pick(arrays);
                Written(array);
                if (random.Next(2) == 0)
                {
                    string reference = "r" + counter++;
                    Line($"ref double {reference} = ref {array}[{Index()}];");
                    Line($"{reference} = {reference} * {Bounded()} + {Expression(1)};");
                }
                else
                {
                    Line($"{Pick(["HWrite", "HWriteBig"])}({array}, {Expression(1)});");
                }

                break;
            }

            case 7:
                Line($"if ({Condition()})");
                Braced(() => Block(depth + 1, random.Next(1, 3)));
                if (random.Next(2) == 0)
                {
                    Line("else");
                    Braced(() => Block(depth + 1, random.Next(1, 3)));
                }

                break;
            case 8 when arrays.Count > 0:
            {
                string array = Pick(arrays);
                string index = "i" + counter++;
                Line(random.Next(3) == 0
                    ? $"for (int {index} = {array}.Length - 1; {index} >= 0; {index}--)"
                    : $"for (int {index} = 0; {index} < {array}.Length; {index}++)");
                Loop(depth, index);
                break;
            }

            case 9:
            {
                string index = "i" + counter++;
                string bound = hasCount ? Pick(["n", "2", "3"]) : Pick(["2", "3"]);

                Line($"for (int {index} = 0; {index} < {bound}; {index}++)");
                Loop(depth, index);
                break;
            }

            case 10:
            {
                // A general loop: a counter, a test at the top or the bottom, and a break on a data-dependent condition.
                string k = "k" + counter++;
                Line($"int {k} = 0;");
                bool doWhile = random.Next(3) == 0;
                Line(doWhile ? "do" : $"while ({k} < {random.Next(1, 4)})");
                Line("{");
                indent++;
                loopDepth++;
                indices.Add(k);
                Block(depth + 1, random.Next(1, 3));
                if (random.Next(3) == 0)
                {
                    Line($"if ({Condition()})");
                    Braced(() => Line("break;"));
                }

                Line($"{k}++;");
                indices.Remove(k);
                loopDepth--;
                indent--;
                Line(doWhile ? $"}} while ({k} < {random.Next(1, 4)});" : "}");
                break;
            }

            case 11 when arrays.Count > 0:
            {
                string element = "e" + counter++;
                string target = Pick(doubles);
                Line($"foreach (double {element} in {Pick(arrays)})");
                Braced(() =>
                {
                    doubles.Add(element);
                    if (random.Next(3) == 0)
                    {
                        // Left early: a foreach with a break runs as a loop over an index.
                        Line($"if ({Condition()})");
                        Braced(() => Line("break;"));
                    }

                    Line($"{target} += {Update()};");
                    doubles.Remove(element);
                });
                break;
            }

            case 12 when topLevel || loopDepth > 0:
                // An early return, from the top level or from inside loops.
                Line($"if ({Condition()})");
                Braced(() => Line($"return {Expression(2)};"));
                break;
            case 14:
            {
                // A switch over an int: sections that share labels, a relational pattern, a default.
                string on = indices.Count > 0 ? $"{Pick(indices)} % 4" : hasCount ? "n" : $"(int)({Pick(doubles)} * 3)";
                Line($"switch ({on})");
                Braced(() =>
                {
                    Line("case 0:");
                    Line("case 1:");
                    indent++;
                    Block(depth + 1, 1);
                    Line("break;");
                    indent--;
                    Line("case > 2:");
                    indent++;
                    Block(depth + 1, random.Next(1, 3));
                    Line("break;");
                    indent--;
                    Line("default:");
                    indent++;
                    Block(depth + 1, 1);
                    Line("break;");
                    indent--;
                });
                break;
            }

            case 16:
            {
                // A countdown in the loop's own test, and a write used as a value.
                string c = "c" + counter++;
                Line($"int {c} = {random.Next(0, 4)};");
                Line($"while ({c}-- > 0)");
                Braced(() =>
                {
                    loopDepth++;
                    Block(depth + 1, random.Next(1, 3));
                    loopDepth--;
                });
                if (doubles.Count > 1)
                {
                    string first = Pick(doubles), second = Pick(doubles.Where(d => d != first).ToList());
                    Line($"{first} = {second} = {Update()};");
                }

                break;
            }

            case 17 when arrays.Count > 0:
            {
                string array = Pick(arrays);
                Written(array);
                Line($"{Pick(doubles)} += ({array}[{Index()}] *= {Bounded()});");
                break;
            }

            case 15:
                // A guard that never fires at the test points.
                Line($"if ({Pick(doubles)} > 1e9)");
                Braced(() => Line($"throw new ArgumentOutOfRangeException(nameof({Pick(doubles.Where(d => d.StartsWith('x')).ToList())}), $\"too large: {{{Pick(doubles)}}}\");"));
                break;
            case 13:
            {
                // The conditional operator in an expression statement, and a helper call.
                string local = "c" + counter++;
                Line($"double {local} = {Condition()} ? {Expression(1)} : {Expression(1)};");
                doubles.Add(local);
                break;
            }

            case 18:
            {
                // Calls with out and ref arguments: an out local declared in place, a local or parameter passed by ref.
                if (random.Next(2) == 0)
                {
                    string local = "o" + counter++;
                    Line($"{Pick(doubles)} += HOut({Expression(1)}, {Expression(1)}, out double {local});");
                    doubles.Add(local);
                }
                else
                {
                    Line($"HRef({Expression(1)}, ref {Pick(doubles.Where(d => !d.StartsWith('e')).ToList())});");
                }

                break;
            }

            default:
                Line($"{Pick(doubles)} += {Update()};");
                break;
        }
    }

    /// <summary>A loop body over index <paramref name="index"/>, with a continue or break now and then.</summary>
    private void Loop(int depth, string index)
    {
        Line("{");
        indent++;
        loopDepth++;
        indices.Add(index);
        if (random.Next(4) == 0)
        {
            Line($"if ({index} == {random.Next(0, 3)})");
            Braced(() => Line("continue;"));
        }

        Block(depth + 1, random.Next(1, 4));
        indices.Remove(index);
        loopDepth--;
        indent--;
        Line("}");
    }

    private void Written(string array)
    {
        int parameter = array.StartsWith('a') ? int.Parse(array.AsSpan(1), CultureInfo.InvariantCulture) : -1;
        if (parameter >= 0)
        {
            written[parameter] = true;
        }
    }

    // ------------------------------------------------------------ expressions

    private string Expression(int depth)
    {
        if (depth <= 0 || random.Next(4) == 0)
        {
            return Atom();
        }

        // Operands are parenthesized; square roots, logarithms and denominators take 1 + a square, so every value is finite.
        string square = Square(depth - 1);
        return random.Next(17) switch
        {
            0 or 1 => $"({Expression(depth - 1)} + {Expression(depth - 1)})",
            2 => $"({Expression(depth - 1)} - {Expression(depth - 1)})",
            3 or 4 => $"({Expression(depth - 1)} * {Expression(depth - 1)})",
            5 => $"({Expression(depth - 1)} / (1.5 + {square}))",
            6 => $"Math.{Pick(["Sin", "Cos", "Tanh", "Atan"])}({Expression(depth - 1)})",
            7 => $"Math.Sqrt(1 + {square})",
            16 => $"Math.Log(1 + {square})",
            8 => $"Math.Exp(0.5 * Math.Tanh({Expression(depth - 1)}))",
            9 => $"({Condition()} ? {Expression(depth - 1)} : {Expression(depth - 1)})",
            10 => $"HScalar({Expression(depth - 1)}, {Expression(depth - 1)})",
            11 when arrays.Count > 0 => $"{Pick(["HLoop", "HLoopBig"])}({Expression(depth - 1)}, {Pick(arrays.Where(a => a.StartsWith('a')).DefaultIfEmpty(arrays[0]).ToList())})",
            12 when arrays.Count > 0 => $"HSpan({Pick(arrays)}, {Expression(depth - 1)})",
            13 => $"Math.Pow({Expression(depth - 1)}, {Pick(["2", "3", "2.0"])})",
            14 => $"-{Atom()}",
            15 when indices.Count > 0 => $"(({Pick(indices)} % 3) switch {{ 0 => {Expression(depth - 1)}, 1 => {Expression(depth - 1)}, _ => {Expression(depth - 1)} }})",
            _ => $"Math.{Pick(["Max", "Min"])}({Expression(depth - 1)}, {Expression(depth - 1)})",
        };
    }

    /// <summary><c>e * e</c> for a random e: never negative.</summary>
    private string Square(int depth)
    {
        string e = Expression(depth);
        return $"({e}) * ({e})";
    }

    private string Atom()
    {
        int choice = random.Next(10);
        if (choice < 4 || (choice < 7 && arrays.Count == 0))
        {
            return Pick(doubles);
        }

        if (choice < 7)
        {
            return $"{Pick(arrays)}[{Index()}]";
        }

        if (choice == 7 && indices.Count > 0)
        {
            return $"(0.25 * {Pick(indices)})";
        }

        return Constant();
    }

    private string Index()
    {
        if (indices.Count > 0 && random.Next(3) > 0)
        {
            string i = Pick(indices);
            return Pick([$"{i} % {ArrayLength}", $"({i} + 1) % {ArrayLength}", $"{ArrayLength - 1} - {i} % {ArrayLength}"]);
        }

        return random.Next(ArrayLength).ToString(CultureInfo.InvariantCulture);
    }

    private string Condition() => random.Next(4) switch
    {
        0 when indices.Count > 0 => $"{Pick(indices)} % 2 == 0",
        1 => $"{Expression(1)} > {Constant()}",
        _ => $"{Expression(1)} < {Expression(1)}",
    };

    /// <summary>
    /// The value of an update. Inside a loop it is bounded (a tanh), so a value carried through iterations grows at most
    /// linearly: squaring it every iteration would reach magnitudes where finite differences mean nothing.
    /// </summary>
    private string Update() => loopDepth > 0 ? $"Math.Tanh({Expression(2)})" : Expression(2);

    /// <summary>A factor of magnitude at most about 1, so repeated products stay finite.</summary>
    private string Bounded() => random.Next(3) switch
    {
        0 => Constant(),
        1 => $"Math.Tanh({Expression(1)})",
        _ => $"Math.Cos({Expression(1)})",
    };

    private string Constant() => (random.Next(1, 20) * 0.1).ToString("0.0", CultureInfo.InvariantCulture);

    private string Pick(IReadOnlyList<string> options) => options[random.Next(options.Count)];

    private void Braced(Action body)
    {
        Line("{");
        indent++;
        body();
        indent--;
        Line("}");
    }

    private void Line(string text) => code.Append(new string(' ', 4 * indent)).Append(text).Append('\n');
}
