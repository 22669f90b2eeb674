using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Analyzers.Tests;

/// <summary>
/// A small before/after harness for the code fixes, in the style of Microsoft.CodeAnalysis.Testing but offline:
/// the input compiles against the SDK's own reference assemblies and the Differentiable runtime.
/// <c>{|DIFF0003:…|}</c> marks the span the fixed diagnostic must be reported on.
/// </summary>
internal static partial class CodeFixVerifier
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>
    /// Analyzes <paramref name="markup"/>, asserts the marked diagnostic is reported exactly there, applies the
    /// fix titled <paramref name="title"/> that <paramref name="provider"/> offers for it, and asserts the result
    /// is <paramref name="expected"/>, compiles with no error, and has neither the fixed diagnostic nor any
    /// other error diagnostic of the analyzers.
    /// </summary>
    public static async Task VerifyAsync(CodeFixProvider provider, string markup, string title, string? equivalenceKey, string expected, bool withDerivatives = false)
    {
        var (source, id, span) = Parse(markup);
        Assert.Contains(id, provider.FixableDiagnosticIds);
        Document document = await CreateDocumentAsync(source, withDerivatives);

        Diagnostic diagnostic = await FindDiagnosticAsync(document, id, span);
        ImmutableArray<CodeAction> actions = await GetActionsAsync(provider, document, diagnostic);
        CodeAction action = Assert.Single(actions, a => a.Title == title);
        if (equivalenceKey is not null)
        {
            Assert.Equal(equivalenceKey, action.EquivalenceKey);
        }

        Document fixedDocument = await ApplyAsync(action, document);
        string actual = (await fixedDocument.GetTextAsync()).ToString();
        Assert.Equal(Normalize(expected), Normalize(actual));

        Compilation compilation = (await fixedDocument.Project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        ImmutableArray<Diagnostic> after = await AnalyzeAsync(compilation);
        Assert.DoesNotContain(after, d => d.Id == id);
        Assert.DoesNotContain(after, d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>The titles of the fixes <paramref name="provider"/> offers for the marked diagnostic.</summary>
    public static async Task<IReadOnlyList<string>> TitlesAsync(CodeFixProvider provider, string markup, bool withDerivatives = false)
    {
        var (source, id, span) = Parse(markup);
        Document document = await CreateDocumentAsync(source, withDerivatives);
        Diagnostic diagnostic = await FindDiagnosticAsync(document, id, span);
        return (await GetActionsAsync(provider, document, diagnostic)).Select(a => a.Title).ToList();
    }

    /// <summary>
    /// Applies the fix-all of <paramref name="provider"/> (for the fixes with <paramref name="equivalenceKey"/>) to
    /// every <paramref name="id"/> diagnostic of <paramref name="source"/>, and asserts the result is
    /// <paramref name="expected"/>, compiles with no error and has no <paramref name="id"/> diagnostic left.
    /// </summary>
    public static async Task VerifyFixAllAsync(CodeFixProvider provider, string source, string id, string equivalenceKey, string expected)
    {
        Document document = CreateDocument(source);
        ImmutableArray<Diagnostic> diagnostics = (await AnalyzeAsync((await document.Project.GetCompilationAsync())!))
            .Where(d => d.Id == id)
            .ToImmutableArray();
        Assert.True(diagnostics.Length > 1, $"expected several {id} diagnostics to fix at once, found {diagnostics.Length}");
        FixAllProvider fixAll = provider.GetFixAllProvider() ?? throw new InvalidOperationException($"{provider.GetType().Name} has no fix-all");
        var context = new FixAllContext(
            document, provider, FixAllScope.Document, equivalenceKey, [id], new FixedDiagnostics(diagnostics), CancellationToken.None);
        CodeAction action = (await fixAll.GetFixAsync(context)) ?? throw new InvalidOperationException("no fix-all action");

        Document fixedDocument = await ApplyAsync(action, document);
        Assert.Equal(Normalize(expected), Normalize((await fixedDocument.GetTextAsync()).ToString()));
        Compilation compilation = (await fixedDocument.Project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.DoesNotContain(await AnalyzeAsync(compilation), d => d.Id == id);
    }

    /// <summary>The fixed document's text, from the fix titled <paramref name="title"/>, with its line breaks as they are.</summary>
    public static async Task<string> FixedTextAsync(CodeFixProvider provider, string markup, string title)
    {
        var (source, id, span) = Parse(markup);
        Document document = CreateDocument(source);
        Diagnostic diagnostic = await FindDiagnosticAsync(document, id, span);
        CodeAction action = Assert.Single(await GetActionsAsync(provider, document, diagnostic), a => a.Title == title);
        return (await (await ApplyAsync(action, document)).GetTextAsync()).ToString();
    }

    public static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var documentId = DocumentId.CreateNewId(projectId);
        Solution solution = workspace.CurrentSolution
            .AddProject(projectId, "Input", "Input", LanguageNames.CSharp)
            .WithProjectCompilationOptions(projectId, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }))
            .WithProjectParseOptions(projectId, new CSharpParseOptions(LanguageVersion.CSharp14))
            .AddMetadataReferences(projectId, References.Value)
            .AddDocument(documentId, "Input.cs", SourceText.From(source), filePath: "Input.cs");
        return solution.GetDocument(documentId)!;
    }

    /// <summary>
    /// The input document; <paramref name="withDerivatives"/> adds, as further documents of its project, what the
    /// generator emits for it, so the input can call <c>{M}Jvp</c>, <c>{M}Vjp</c> and <c>{M}Gradient</c>.
    /// </summary>
    public static async Task<Document> CreateDocumentAsync(string source, bool withDerivatives)
    {
        Document document = CreateDocument(source);
        if (!withDerivatives)
        {
            return document;
        }

        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorDriverRunResult run = CSharpGeneratorDriver
            .Create(new Differentiable.Generator.DifferentiableGenerator())
            .RunGenerators(compilation)
            .GetRunResult();
        Assert.Empty(run.Diagnostics);
        Project project = document.Project;
        foreach (GeneratedSourceResult generated in run.Results.SelectMany(r => r.GeneratedSources))
        {
            project = project.AddDocument(generated.HintName, generated.SourceText).Project;
        }

        return project.GetDocument(document.Id)!;
    }

    /// <summary>The SDK's reference assemblies and the Differentiable runtime, as every input references them.</summary>
    public static ImmutableArray<MetadataReference> ReferenceAssemblies => References.Value;

    private static async Task<Diagnostic> FindDiagnosticAsync(Document document, string id, TextSpan span)
    {
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync((await document.Project.GetCompilationAsync())!);
        Diagnostic? diagnostic = diagnostics.FirstOrDefault(d => d.Id == id && d.Location.SourceSpan == span);
        string text = (await document.GetTextAsync()).ToString();
        Assert.True(
            diagnostic is not null,
            $"expected {id} on '{text.Substring(span.Start, span.Length)}'; reported:{Environment.NewLine}"
            + string.Join(Environment.NewLine, diagnostics.Select(d => $"  {d.Id} on '{text.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}'")));
        return diagnostic!;
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation) =>
        await compilation
            .WithAnalyzers([new DifferentiableAnalyzer(), new NoDerivativeAnalyzer(), new DerivativeArgumentAnalyzer()])
            .GetAnalyzerDiagnosticsAsync();

    private static async Task<ImmutableArray<CodeAction>> GetActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions.ToImmutable();
    }

    private static async Task<Document> ApplyAsync(CodeAction action, Document document)
    {
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        return changed.GetDocument(document.Id)!;
    }

    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>([]);
    }

    /// <summary>The source without markup, and the one marked diagnostic.</summary>
    private static (string Source, string Id, TextSpan Span) Parse(string markup)
    {
        Match open = OpenMarker().Match(markup);
        Assert.True(open.Success, "the input marks no diagnostic");
        int close = markup.IndexOf("|}", open.Index, StringComparison.Ordinal);
        Assert.True(close > open.Index, "the marker is not closed");
        string marked = markup[(open.Index + open.Length)..close];
        var source = new StringBuilder()
            .Append(markup, 0, open.Index)
            .Append(marked)
            .Append(markup, close + 2, markup.Length - close - 2)
            .ToString();
        Assert.DoesNotMatch(OpenMarker(), source);
        return (source, open.Groups[1].Value, new TextSpan(open.Index, marked.Length));
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The reference assemblies of the SDK's own targeting pack, plus the Differentiable runtime.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string version = Environment.Version.ToString(3);
        string? refDirectory = Directory.Exists(Path.Combine(packs, version))
            ? Path.Combine(packs, version)
            : Directory.Exists(packs) ? Directory.GetDirectories(packs).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault() : null;
        IEnumerable<string> assemblies = refDirectory is null
            ? Directory.GetFiles(runtimeDirectory, "*.dll") // no targeting pack: fall back to the runtime's own
            : Directory.GetFiles(Path.Combine(refDirectory, "ref", $"net{Environment.Version.Major}.0"), "*.dll");
        return assemblies
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToImmutableArray();
    }

    [GeneratedRegex(@"\{\|(DIFF\d{4}):")]
    private static partial Regex OpenMarker();
}
