using System;
using System.Text;

namespace Differentiable.Generator.Emit;

/// <summary>An indented text writer; <c>WriteBlock</c> opens a brace block closed by disposal.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder builder = new();
    private int depth;

    public void WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            builder.Append(' ', depth * 4);
            builder.Append(line);
        }

        builder.Append('\n');
    }

    public IDisposable WriteBlock(string? header = null) => WriteBlock(header, "}");

    /// <summary>A brace block closed by <paramref name="closing"/> (<c>} while (c);</c> for a do loop).</summary>
    public IDisposable WriteBlock(string? header, string closing)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        depth++;
        return new Closer(this, closing);
    }

    public override string ToString() => builder.ToString();

    private sealed class Closer(CodeWriter writer, string closing) : IDisposable
    {
        public void Dispose()
        {
            writer.depth--;
            writer.WriteLine(closing);
        }
    }
}
