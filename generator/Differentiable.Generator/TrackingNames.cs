namespace Differentiable.Generator;

/// <summary>Names of the pipeline steps, for the incremental-caching tests.</summary>
public static class TrackingNames
{
    /// <summary>One model per [DerivativeOf] method.</summary>
    public const string Registrations = nameof(Registrations);

    /// <summary>The registrations exported by referenced assemblies.</summary>
    public const string ReferencedRegistrations = nameof(ReferencedRegistrations);

    /// <summary>The compilation's derivative registry.</summary>
    public const string Registry = nameof(Registry);

    /// <summary>The registry without source positions or diagnostics: what resolving calls needs.</summary>
    public const string Resolution = nameof(Resolution);

    /// <summary>One lowered model per [Differentiable] method.</summary>
    public const string Lowered = nameof(Lowered);

    /// <summary>The small [Differentiable] methods of the compilation, inlined into their callers.</summary>
    public const string Inlining = nameof(Inlining);

    /// <summary>Every [Differentiable] method second order can inline, whatever its size.</summary>
    public const string SecondOrderInlining = nameof(SecondOrderInlining);

    /// <summary>One checked and transformed method (derivatives as IR) per [Differentiable] method.</summary>
    public const string Checked = nameof(Checked);

    /// <summary>What every [Differentiable] method finally gets, once its callees' outcomes are known.</summary>
    public const string Outcomes = nameof(Outcomes);

    /// <summary>One generated file (or its diagnostics) per [Differentiable] method.</summary>
    public const string Generated = nameof(Generated);
}
