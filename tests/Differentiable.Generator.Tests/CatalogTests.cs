using Differentiable.Generator.Diagnostics;

namespace Differentiable.Generator.Tests;

/// <summary>Every diagnostic links to a page under docs/diagnostics with a wrong and a right example.</summary>
public class CatalogTests
{
    [Fact]
    public void EveryDiagnostic_HasAHelpLinkToItsDocsPage()
    {
        string root = RepositoryRoot();
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            Assert.Equal($"docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
            AssertPage(root, descriptor.Id);
        }

        AssertPage(root, "DIFF1001"); // the package's build check, reported by MSBuild
        Assert.Equal(DiagnosticDescriptors.All.Length, DiagnosticDescriptors.All.Select(d => d.Id).Distinct().Count());
    }

    private static void AssertPage(string root, string id)
    {
        string page = Path.Combine(root, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"{id} has no page at {page}");
        string text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}:", text);
        Assert.Contains("Wrong", text);
        Assert.Contains("Right", text);
        Assert.Contains($"[{id}]({id}.md)", File.ReadAllText(Path.Combine(root, "docs", "diagnostics", "README.md")));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Differentiable.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Differentiable.sln not found");
    }
}
