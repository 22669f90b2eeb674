using System;
using System.Text;

namespace Differentiable.Generator.Emit;

/// <summary>An indented text writer; <see cref="WriteBlock"/> opens a brace block closed by disposal.</summary>
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

    public IDisposable WriteBlock(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        depth++;
        return new Closer(this);
    }

    public override string ToString() => builder.ToString();

    private sealed class Closer(CodeWriter writer) : IDisposable
    {
        public void Dispose()
        {
            writer.depth--;
            writer.WriteLine("}");
        }
    }
}
