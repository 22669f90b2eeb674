using System;

namespace Differentiable.Generator.Transforms;

/// <summary>A transform met IR it cannot differentiate; the method gets a diagnostic, not code.</summary>
internal sealed class TransformException : Exception
{
    public TransformException(string diagnosticId, string message, Model.SourceSpan? site = null)
        : base(message)
    {
        DiagnosticId = diagnosticId;
        Site = site;
    }

    public string DiagnosticId { get; }

    public Model.SourceSpan? Site { get; }
}
