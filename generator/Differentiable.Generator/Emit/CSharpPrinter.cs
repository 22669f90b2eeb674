using System.Globalization;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Emit;

/// <summary>Prints IR functions as C#: one statement per line, parentheses only where precedence needs them.</summary>
internal sealed class CSharpPrinter
{
    private readonly CodeWriter writer;
    private Origin? lastOrigin;
    private bool afterBlock;

    public CSharpPrinter(CodeWriter writer) => this.writer = writer;

    public void Body(Block block)
    {
        lastOrigin = null;
        Statements(block);
    }

    public static string Parameters(IrFunction function) => string.Join(", ", function.Parameters.Select(p => p.Kind switch
    {
        ParameterKind.Out => "out " + p.Variable.Type.CSharp + " " + Name(p.Variable),
        ParameterKind.In => "in " + p.Variable.Type.CSharp + " " + Name(p.Variable),
        ParameterKind.Ref => "ref " + p.Variable.Type.CSharp + " " + Name(p.Variable),
        _ => p.Variable.Type.CSharp + " " + Name(p.Variable),
    }));

    private void Statements(Block block)
    {
        foreach (Stmt statement in block.Statements)
        {
            if (afterBlock && statement is not Comment)
            {
                writer.WriteLine(); // a blank line after a closing brace, as a person would write it
            }

            afterBlock = false;
            Statement(statement);
        }

        afterBlock = false;
    }

    private void Statement(Stmt statement)
    {
        if (statement.Origin is { } origin && origin != lastOrigin)
        {
            writer.WriteLine($"// line {origin.Line}{(origin.Reversed ? ", reversed" : string.Empty)}: {origin.Text}");
            lastOrigin = origin;
        }

        switch (statement)
        {
            case Let { Value: Call call } let when CallOutputs.HasOutputParameters(call):
                CallWithOutputs(let.Target, call, declare: true);
                break;
            case Assign { Value: Call call } assign when CallOutputs.HasOutputParameters(call):
                CallWithOutputs(assign.Target, call, declare: false);
                break;
            case Let { Target: VariableBinding { Variable: var v } } let:
                writer.WriteLine($"{v.Type.CSharp} {Name(v)} = {Expression(let.Value)};");
                break;
            case Let let:
                writer.WriteLine($"var {Binding(let.Target)} = {Expression(let.Value)};");
                break;
            case Assign { Target: VariableBinding { Variable: var v }, Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract, Left: Ref { Variable: var left } } binary }
                when left == v:
                writer.WriteLine($"{Name(v)} {(binary.Op == BinaryOp.Add ? "+=" : "-=")} {Expression(binary.Right)};");
                break;
            case Assign { Target: VariableBinding { Variable: var v } } assign:
                writer.WriteLine($"{Name(v)} = {Expression(assign.Value)};");
                break;
            case Assign assign:
                writer.WriteLine($"{Binding(assign.Target)} = {Expression(assign.Value)};");
                break;
            case Declare declare:
                writer.WriteLine($"{declare.Variable.Type.CSharp} {Name(declare.Variable)} = {Zero(declare.Variable.Type)};");
                break;
            case If branch:
                IfStatement(branch);
                break;
            case Return { Value: null }:
                writer.WriteLine("return;");
                break;
            case Return ret:
                writer.WriteLine($"return {Expression(ret.Value!)};");
                break;
            case Throw thrown:
                writer.WriteLine($"throw {Expression(thrown.Exception)};");
                break;
            case Evaluate evaluate:
                writer.WriteLine($"{Expression(evaluate.Value)};");
                break;
            case Comment comment:
                writer.WriteLine();
                writer.WriteLine("// " + comment.Text);
                lastOrigin = null;
                break;
            case Store store:
            {
                string op = store.Kind switch { StoreKind.Add => "+=", StoreKind.Subtract => "-=", _ => "=" };
                writer.WriteLine($"{Print(store.Buffer, Primary)}[{Expression(store.Index)}] {op} {Expression(store.Value)};");
                break;
            }

            case For loop:
                Block(ForHeader(loop), loop.Body);
                break;
            case Loop loop:
                LoopStatement(loop);
                break;
            case Break:
                writer.WriteLine("break;");
                break;
            case Save { Value: Slice slice } save:
                writer.WriteLine(TapeCall(save.Tape, slice.Buffer.Type.ElementType, "PushSlice", Expression(slice.Buffer), Expression(slice.Start), Expression(slice.Count)) + ";");
                break;
            case Reload { Buffer: Slice slice } reload:
                writer.WriteLine(TapeCall(reload.Tape, slice.Buffer.Type.ElementType, "PopSlice", Expression(slice.Buffer), Expression(slice.Start), Expression(slice.Count)) + ";");
                break;
            case Save save when save.Value.Type.IsBuffer:
                writer.WriteLine(TapeCall(save.Tape, save.Value.Type.ElementType, "PushRange", Expression(save.Value)) + ";");
                break;
            case Save save:
                writer.WriteLine(TapeCall(save.Tape, save.Value.Type, "Push", Expression(save.Value)) + ";");
                break;
            case Reload reload:
                writer.WriteLine(TapeCall(reload.Tape, reload.Buffer.Type.ElementType, "PopRange", Expression(reload.Buffer)) + ";");
                break;
            case TapeScope scope:
                writer.WriteLine($"global::Differentiable.Tape {scope.Tape.Name} = global::Differentiable.Tape.Current;");
                writer.WriteLine($"global::Differentiable.TapeMark {scope.Mark.Name} = {scope.Tape.Name}.Mark();");
                Block("try", scope.Body);
                afterBlock = false;
                using (writer.WriteBlock("finally"))
                {
                    writer.WriteLine($"{scope.Tape.Name}.Restore({scope.Mark.Name});");
                }

                afterBlock = true;
                break;
        }
    }

    /// <summary>
    /// A call on the tape stack of values of type <paramref name="type"/>: <c>tape.Doubles.Push(t)</c>; a widened sweep's
    /// lanes go on the stack of their element type through <c>Lanes</c> (<c>Lanes.Push(tape.Doubles, dt)</c>).
    /// </summary>
    private static string TapeCall(Variable tape, IrType type, string method, params string[] arguments) => type.Kind == ValueKind.Lanes
        ? $"global::Differentiable.Lanes.{method}({tape.Name}.{TapeStack(type.ElementType)}{string.Concat(arguments.Select(a => ", " + a))})"
        : $"{tape.Name}.{TapeStack(type)}.{method}({string.Join(", ", arguments)})";

    /// <summary>The tape stack that holds values of a type: <c>Doubles</c>, <c>Singles</c>, <c>Ints</c> or <c>Bools</c>.</summary>
    public static string TapeStack(IrType type) => type.Kind switch
    {
        ValueKind.Double => "Doubles",
        ValueKind.Float => "Singles",
        ValueKind.Boolean => "Bools",
        _ => "Ints",
    };

    private static string ForHeader(For loop)
    {
        string i = Name(loop.Index);
        string step = loop.Step switch { 1 => i + "++", -1 => i + "--", > 0 => $"{i} += {loop.Step}", _ => $"{i} -= {-loop.Step}" };
        string condition = Expression(new Binary(loop.Compare, new Ref(loop.Index), loop.Bound, IrType.Bool));
        return $"for ({loop.Index.Type.CSharp} {i} = {Expression(loop.From)}; {condition}; {step})";
    }

    /// <summary>
    /// A general loop as a person would write it: <c>while (c) { … }</c> when its body starts by leaving unless c,
    /// <c>do { … } while (c);</c> when it ends that way, else <c>while (true)</c> with the breaks inside.
    /// </summary>
    private void LoopStatement(Loop loop)
    {
        var statements = loop.Body.Statements;
        if (statements.Count == 1 && statements[0] is If test && IsBreak(test.Else))
        {
            Block($"while ({Expression(test.Condition)})", test.Then);
            return;
        }

        if (statements.Count > 0 && statements[statements.Count - 1] is If { Then.Statements.Count: 0 } bottom && IsBreak(bottom.Else)
            && !IrWalk.Reads(bottom.Condition).Any(IrWalk.Statements(loop.Body).SelectMany(IrWalk.Defined).Contains))
        {
            using (writer.WriteBlock("do", $"}} while ({Expression(bottom.Condition)});"))
            {
                Statements(new Block(statements.Take(statements.Count - 1).ToEquatableArray()));
            }

            afterBlock = true;
            lastOrigin = null;
            return;
        }

        Block("while (true)", loop.Body);
    }

    /// <summary>A variable's name as written in C# (a user's <c>@double</c> keeps its '@').</summary>
    public static string Name(Variable variable) => NameScope.Identifier(variable.Name);

    private static bool IsBreak(Block block) => block.Statements.Count == 1 && block.Statements[0] is Break;

    private void Block(string header, Block body)
    {
        using (writer.WriteBlock(header))
        {
            Statements(body);
        }

        afterBlock = true;
        lastOrigin = null;
    }

    private void IfStatement(If branch)
    {
        bool hasThen = branch.Then.Statements.Count > 0;
        Expr condition = hasThen ? branch.Condition : new Unary(UnaryOp.Not, branch.Condition, IrType.Bool);
        using (writer.WriteBlock($"if ({Expression(condition)})"))
        {
            Statements(hasThen ? branch.Then : branch.Else);
        }

        if (hasThen && branch.Else.Statements.Count > 0)
        {
            writer.WriteLine("else");
            using (writer.WriteBlock())
            {
                Statements(branch.Else);
            }
        }

        afterBlock = true;
        lastOrigin = null;
    }

    /// <summary>
    /// A call of a method with out or ref parameters, as written: <c>double z_1 = z;</c> for each ref argument (it starts
    /// from the value on entry), then <c>double t = F(x, out double y_1, ref z_1);</c>. See <see cref="CallOutputs"/>.
    /// </summary>
    private void CallWithOutputs(Binding target, Call call, bool declare)
    {
        var callee = (MethodCallee)call.Callee;
        (Binding? result, Dictionary<int, Variable> outputs) = CallOutputs.Split(target, call);
        var arguments = new List<string>();
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (!outputs.TryGetValue(i, out Variable? output))
            {
                arguments.Add(Print(call.Arguments[i], 0));
            }
            else if (callee.Parameters[i].Kind == ParameterKind.Ref)
            {
                writer.WriteLine($"{(declare ? output.Type.CSharp + " " : string.Empty)}{Name(output)} = {Expression(call.Arguments[i])};");
                arguments.Add("ref " + Name(output));
            }
            else
            {
                arguments.Add(output.Name == "_" ? "out _" : declare ? $"out {output.Type.CSharp} {Name(output)}" : "out " + Name(output));
            }
        }

        string text = CalleeName(callee) + "(" + string.Join(", ", arguments) + ")";
        writer.WriteLine(result switch
        {
            null => text + ";",
            VariableBinding { Variable: var v } when declare => $"{v.Type.CSharp} {Name(v)} = {text};",
            _ => $"{(declare ? "var " : string.Empty)}{Binding(result)} = {text};",
        });
    }

    /// <summary>A method's name as a call spells it: on its receiver, or its owner type, or alone.</summary>
    private static string CalleeName(MethodCallee method) =>
        (method.Receiver is { } receiver ? Print(receiver, Primary) + "." : method.Owner is { } owner ? owner + "." : string.Empty)
        + NameScope.Identifier(method.Name);

    private static string Binding(Binding binding) => binding switch
    {
        VariableBinding { Variable: var v } => Name(v),
        TupleBinding tuple => "(" + string.Join(", ", tuple.Elements.Select(Binding)) + ")",
        _ => "_",
    };

    private static string Zero(IrType type) => type.Kind switch
    {
        ValueKind.Double or ValueKind.Float or ValueKind.Integer => Number(type, 0),
        ValueKind.Boolean => "false",
        _ => "default",
    };

    // ------------------------------------------------------------ expressions

    private const int Conditional = 1, Or = 2, And = 3, BitwiseOr = 4, ExclusiveOr = 5, BitwiseAnd = 6, Equality = 7, Relational = 8, Shift = 9,
        Additive = 10, Multiplicative = 11, Prefix = 12, Primary = 13;

    public static string Expression(Expr expr) => Print(expr, 0);

    private static string Print(Expr expr, int context)
    {
        (string text, int precedence) = Format(expr);
        return precedence < context ? "(" + text + ")" : text;
    }

    private static (string Text, int Precedence) Format(Expr expr)
    {
        switch (expr)
        {
            case Const c:
                string number = c.Type.Kind == ValueKind.Boolean ? (c.Value != 0 ? "true" : "false") : Number(c.Type, c.Value);
                return (number, number.StartsWith("-", System.StringComparison.Ordinal) ? Prefix : Primary);
            case Ref r:
                return (Name(r.Variable), Primary);
            case Unary u:
            {
                string op = u.Op switch { UnaryOp.Negate => "-", UnaryOp.Complement => "~", _ => "!" };
                string operand = Print(u.Operand, Primary);
                if (u.Op == UnaryOp.Negate && operand.StartsWith("-", System.StringComparison.Ordinal))
                {
                    operand = "(" + operand + ")";
                }

                return (op + operand, Prefix);
            }

            case Binary b:
            {
                (string op, int precedence) = Operator(b.Op);
                return (Print(b.Left, precedence) + " " + op + " " + Print(b.Right, precedence + 1), precedence);
            }

            case Convert c:
                return ("(" + c.Type.CSharp + ")" + Print(c.Operand, Primary), Prefix);
            case Overflow o:
                return ((o.Checked ? "checked(" : "unchecked(") + Expression(o.Operand) + ")", Primary);
            case Ir.Conditional c:
                return (Print(c.Condition, Or) + " ? " + Print(c.WhenTrue, Conditional) + " : " + Print(c.WhenFalse, Conditional), Conditional);
            case Call { Callee: Primitive primitive } call:
                return (ScalarRules.Spelling(primitive.Function, primitive.OperandType) + Arguments(call), Primary);
            case Call { Callee: MethodCallee method } call:
                return (CalleeName(method) + Arguments(call), Primary);

            case TupleExpr tuple:
                return ("(" + string.Join(", ", tuple.Elements.Select(e => Print(e, 0))) + ")", Primary);
            case Element element:
                return (Print(element.Tuple, Primary) + "." + element.Tuple.Type.ElementAccessName(element.Index), Primary);
            case FieldRead field:
                return ((field.Receiver is { } fieldReceiver ? Print(fieldReceiver, Primary) : field.Owner) + "." + NameScope.Identifier(field.Name), Primary);
            case This:
                return ("this", Primary);
            case Literal literal:
                return (literal.Text, Primary);
            case New created:
                return ("new " + created.Type.CSharp + "(" + string.Join(", ", created.Arguments.Select(a => Print(a, 0))) + ")", Primary);
            case Interpolated text:
                return ("$\"" + string.Concat(text.Parts.Select(p => p is Hole hole ? "{" + Print(hole.Value, 0) + hole.Suffix + "}" : ((Literal)p).Text)) + "\"", Primary);
            case OutArgument { Variable.Name: "_" }:
                return ("out _", Primary);
            case OutArgument o:
                return ("out " + o.Variable.Type.CSharp + " " + Name(o.Variable), Primary);
            case DefaultValue d:
                return ("default(" + d.Type.CSharp + ")", Primary);
            case Load load:
                return (Print(load.Buffer, Primary) + "[" + Expression(load.Index) + "]", Primary);
            case Length length:
                return (Print(length.Buffer, Primary) + ".Length", Primary);
            case NewBuffer buffer:
                return ((buffer.OnStack ? "stackalloc " : "new ") + Allocation(buffer.Type.ElementType, Expression(buffer.Count)), Primary);
            case Restored restored:
                return (TapeCall(restored.Tape, restored.Type, "Pop"), Primary);
            case NameOf name:
                return ("nameof(" + Name(name.Variable) + ")", Primary);
            default:
                return ("/* ? */", Primary);
        }
    }

    /// <summary><c>double[n]</c> in <c>new double[n]</c>; <c>double[n][]</c> for the rows of a jagged array.</summary>
    private static string Allocation(IrType element, string count)
    {
        int bracket = element.CSharp.IndexOf('[');
        return bracket < 0
            ? element.CSharp + "[" + count + "]"
            : element.CSharp.Substring(0, bracket) + "[" + count + "]" + element.CSharp.Substring(bracket);
    }

    private static string Arguments(Call call) => "(" + string.Join(", ", call.Arguments.Select(a => Print(a, 0))) + ")";

    private static (string, int) Operator(BinaryOp op) => op switch
    {
        BinaryOp.Add => ("+", Additive),
        BinaryOp.Subtract => ("-", Additive),
        BinaryOp.Multiply => ("*", Multiplicative),
        BinaryOp.Divide => ("/", Multiplicative),
        BinaryOp.Remainder => ("%", Multiplicative),
        BinaryOp.Less => ("<", Relational),
        BinaryOp.LessOrEqual => ("<=", Relational),
        BinaryOp.Greater => (">", Relational),
        BinaryOp.GreaterOrEqual => (">=", Relational),
        BinaryOp.Equal => ("==", Equality),
        BinaryOp.NotEqual => ("!=", Equality),
        BinaryOp.And => ("&&", And),
        BinaryOp.BitwiseAnd => ("&", BitwiseAnd),
        BinaryOp.BitwiseOr => ("|", BitwiseOr),
        BinaryOp.ExclusiveOr => ("^", ExclusiveOr),
        BinaryOp.LeftShift => ("<<", Shift),
        BinaryOp.RightShift => (">>", Shift),
        _ => ("||", Or),
    };

    /// <summary>A literal of the type: <c>2.0</c>, <c>0.5f</c>, <c>3</c>, <c>double.PositiveInfinity</c>.</summary>
    private static string Number(IrType type, double value)
    {
        if (type.Kind == ValueKind.Lanes)
        {
            // A constant in every lane of a widened sweep: Vector256<double>.Zero, or Vector256.Create(2.0).
            return value == 0
                ? type.CSharp + ".Zero"
                : "global::System.Runtime.Intrinsics.Vector256.Create(" + Number(type.ElementType, value) + ")";
        }

        string keyword = type.CSharp;
        if (double.IsNaN(value))
        {
            return keyword + ".NaN";
        }

        if (double.IsInfinity(value))
        {
            return keyword + (value > 0 ? ".PositiveInfinity" : ".NegativeInfinity");
        }

        switch (type.Kind)
        {
            case ValueKind.Float:
                return ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";
            case ValueKind.Double:
            {
                string text = value.ToString("R", CultureInfo.InvariantCulture);
                return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
            }

            default:
                string integer = value.ToString("0", CultureInfo.InvariantCulture);
                return keyword switch
                {
                    "int" => integer,
                    "long" => integer + "L",
                    "uint" => integer + "U",
                    "ulong" => integer + "UL",
                    _ => "(" + keyword + ")" + integer,
                };
        }
    }
}
