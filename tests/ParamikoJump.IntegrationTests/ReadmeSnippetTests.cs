using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Snippets that cannot rot: every <c>```csharp</c> block of the README, the package README and docs/ compiles on its
/// own against the packed package, as in a new console project (net8.0's C# 12, the SDK's implicit usings, nullable
/// on), with only the declarations it names in a comment on the line before it:
/// <c>&lt;!-- snippet context="docs/snippets/target.cs" --&gt;</c>. The first example and the MFA-handler example
/// (<c>&lt;!-- snippet name="..." --&gt;</c>) also run, as written, against the lab: only their placeholder host
/// names and users are replaced by the lab's.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed partial class ReadmeSnippetTests(LabFixture fixture, ConsumerTests.PackedLibrary package) : IClassFixture<ConsumerTests.PackedLibrary>
{
    /// <summary>The files whose blocks are compiled, relative to the repository root; docs/ is searched whole.</summary>
    private static readonly string[] Documents = ["README.md", "src/ParamikoJump/PACKAGE.md", "src/ParamikoJump.Hosting/PACKAGE.md"];

    /// <summary>What <c>dotnet new console</c> puts in scope (ImplicitUsings for Microsoft.NET.Sdk).</summary>
    private static readonly string ImplicitUsings = string.Join("\n",
        new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks" }
            .Select(ns => $"global using global::{ns};"));

    /// <summary>The package's dependencies a snippet may name (SSH.NET's types among them), from this test's own output.</summary>
    private static readonly string[] Dependencies =
        ["Renci.SshNet.dll", "BouncyCastle.Cryptography.dll", "Microsoft.Extensions.Logging.Abstractions.dll", "Microsoft.Extensions.DependencyInjection.Abstractions.dll", "Otp.NET.dll"];

    private static readonly TimeSpan RunBudget = TimeSpan.FromMinutes(2);

    [Fact(Timeout = 300_000)]
    public async Task Every_csharp_block_of_the_READMEs_and_docs_compiles_on_its_own_against_the_packed_package()
    {
        var references = await References();
        var blocks = Snippet.All(ConsumerTests.PackedLibrary.Root, Documents);
        var failures = new List<string>();

        foreach (var block in blocks)
        {
            var (_, errors) = Compile(block, references, rewrite: null);
            failures.AddRange(errors);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} error(s) in {blocks.Count} blocks:\n{string.Join("\n", failures)}");
        Assert.True(blocks.Count(b => b.File == "README.md") >= 10, $"Only {blocks.Count(b => b.File == "README.md")} csharp blocks found in README.md: the block reader is broken.");
        Assert.Contains(blocks, b => b.File == "src/ParamikoJump/PACKAGE.md");
        Assert.Contains(blocks, b => b.File == "src/ParamikoJump.Hosting/PACKAGE.md");
    }

    [Fact]
    public void The_package_carries_a_readme_of_its_own_with_absolute_links_an_icon_tags_and_release_notes()
    {
        using var nupkg = ZipFile.OpenRead(package.PackagePath);
        var nuspec = new StreamReader(nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
        var readme = new StreamReader(nupkg.GetEntry("PACKAGE.md")!.Open()).ReadToEnd();

        Assert.Contains("<readme>PACKAGE.md</readme>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<icon>icon.png</icon>", nuspec, StringComparison.Ordinal);
        Assert.Matches("<releaseNotes>.+</releaseNotes>", nuspec);
        Assert.Matches("<tags>.*bastion.*</tags>", nuspec);
        using (var icon = nupkg.GetEntry("icon.png")!.Open())
        {
            var signature = new byte[8];
            icon.ReadExactly(signature);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, signature);
        }

        var links = MarkdownLink().Matches(readme).Select(m => m.Groups["target"].Value).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.StartsWith("https://", link, StringComparison.Ordinal));
        Assert.True(readme.Length < 8_000, $"The package README has {readme.Length} characters: it is meant to be short.");
        var packageExample = Assert.Single(Snippet.Read("PACKAGE.md", readme.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')), b => b.Language == "csharp");
        Assert.Equal(Snippet.Named(ConsumerTests.PackedLibrary.Root, "first-example").Code, packageExample.Code);
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [Fact]
    public async Task A_block_that_does_not_compile_fails_with_its_file_and_line()
    {
        var references = await References();
        var broken = new Snippet("README.md", 41, "using ParamikoJump;\n\nvar client = new SshJumpClient(hostname: \"h\", username: \"u\", password: \"p\");\nclient.Conect();\n", null, []);

        var (_, errors) = Compile(broken, references, rewrite: null);

        var error = Assert.Single(errors);
        Assert.StartsWith("README.md:44: error CS1061:", error, StringComparison.Ordinal);
        Assert.Contains("Conect", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task The_first_example_runs_as_written_through_the_MFA_bastion_and_trusts_both_new_host_keys_like_accept_new()
    {
        var lab = fixture.Lab;
        var bastion = lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var target = lab["target-password"];
        var home = Directory.CreateTempSubdirectory("pj-first-example-").FullName;
        try
        {
            var run = await RunNamed("first-example", home, new()
            {
                ["bastion.example.com"] = bastion.Host,
                ["ops"] = "pjmfa",
                ["10.0.0.5"] = target.Host,
                ["admin"] = target.User,
            }, new() { ["TARGET_PASSWORD"] = target.Credentials().Password! }, input: $"{secrets.Password}\n{secrets.Totp()}\n");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains($"(pjmfa@{bastion.Host}) Password:", run.Output, StringComparison.Ordinal);
            Assert.Contains($"(pjmfa@{bastion.Host}) Verification code:", run.Output, StringComparison.Ordinal);
            Assert.Contains($"{target.User}\n", run.Output, StringComparison.Ordinal);
            Assert.Contains("exit status: 0", run.Output, StringComparison.Ordinal);
            var knownHosts = File.ReadAllLines(Path.Combine(home, ".ssh", "known_hosts"));
            Assert.Contains(knownHosts, line => line.StartsWith(bastion.Host + " ", StringComparison.Ordinal));
            Assert.Contains(knownHosts, line => line.StartsWith(target.Host + " ", StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(home, "~")));
            Assert.DoesNotContain(secrets.Password!, run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task The_MFA_handler_example_runs_as_written_and_answers_the_password_and_the_code_by_itself()
    {
        var lab = fixture.Lab;
        var bastion = lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var home = Directory.CreateTempSubdirectory("pj-mfa-example-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(home, ".ssh"));
            File.Copy(lab.KnownHosts, Path.Combine(home, ".ssh", "known_hosts"));

            var run = await RunNamed("mfa-handler", home, new()
            {
                ["bastion.example.com"] = bastion.Host,
                ["ops"] = "pjmfa",
            }, new() { ["BASTION_PASSWORD"] = secrets.Password!, ["BASTION_TOTP_SECRET"] = secrets.TotpSecret! }, input: "");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("pjmfa", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Password:", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Compiles the named block with the lab's names in place of its placeholders and runs it as its own process, in a home of its own.</summary>
    private async Task<(int ExitCode, string Output)> RunNamed(string name, string home, Dictionary<string, string> placeholders, Dictionary<string, string> environment, string input)
    {
        var block = Snippet.Named(ConsumerTests.PackedLibrary.Root, name);
        Assert.Equal("csharp", block.Language);
        var references = await References();
        var (image, errors) = Compile(block, references, placeholders);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var app = Path.Combine(package.WorkDirectory, "run-" + name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(app);
        File.WriteAllBytes(Path.Combine(app, "snippet.dll"), image!);
        File.WriteAllText(Path.Combine(app, "snippet.runtimeconfig.json"),
            """{ "runtimeOptions": { "tfm": "net8.0", "rollForward": "Major", "framework": { "name": "Microsoft.NETCore.App", "version": "8.0.0" } } }""");
        File.Copy(package.Net8Library, Path.Combine(app, "ParamikoJump.dll"));
        foreach (var dependency in Dependencies)
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, dependency), Path.Combine(app, dependency));
        }

        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(app, "snippet.dll")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        start.Environment["HOME"] = home;
        start.Environment.Remove("SSH_AUTH_SOCK");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var reading = Task.WhenAll(Copy(process.StandardOutput, output), Copy(process.StandardError, output));
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var budget = new CancellationTokenSource(RunBudget);
        try
        {
            await process.WaitForExitAsync(budget.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The '{name}' example ran past {RunBudget}: {output}");
        }

        await reading;
        return (process.ExitCode, output.ToString());
    }

    private static async Task Copy(StreamReader from, StringBuilder to)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            lock (to)
            {
                to.Append(buffer, 0, read);
            }
        }
    }

    private Task<IReadOnlyList<MetadataReference>> References()
    {
        var framework = FrameworkReferenceAssemblies();
        var library = package.Net8Library;
        return Task.FromResult<IReadOnlyList<MetadataReference>>(framework.Append(library).Concat(Dependencies.Select(d => Path.Combine(AppContext.BaseDirectory, d)))
            .Concat(HostingDependencies()).Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList());
    }

    /// <summary>
    /// The second package, ParamikoJump.Hosting, and the Microsoft.Extensions assemblies of a generic host, which the
    /// README's "In a service" blocks name, from this test's own output.
    /// </summary>
    private static IEnumerable<string> HostingDependencies() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "Microsoft.Extensions.*.dll").Order(StringComparer.Ordinal)
            .Append(Path.Combine(AppContext.BaseDirectory, "ParamikoJump.Hosting.dll"));

    /// <summary>The SDK's reference assemblies of the running .NET, else the runtime's own assemblies.</summary>
    private static IEnumerable<string> FrameworkReferenceAssemblies()
    {
        var runtime = new DirectoryInfo(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        var dotnetRoot = runtime.Parent!.Parent!.Parent!.FullName;
        var referencePack = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref", runtime.Name, "ref", $"net{Environment.Version.Major}.{Environment.Version.Minor}");
        return Directory.Exists(referencePack)
            ? Directory.GetFiles(referencePack, "*.dll")
            : ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll");
    }

    /// <summary>
    /// Compiles one block with its contexts; errors come back as <c>file:line: error CSxxxx: message</c>, the line
    /// counted in the markdown file (or in the context file that holds the error).
    /// </summary>
    private static (byte[]? Image, List<string> Errors) Compile(Snippet block, IReadOnlyList<MetadataReference> references, Dictionary<string, string>? rewrite)
    {
        var parse = new CSharpParseOptions(LanguageVersion.CSharp12);
        var code = CSharpSyntaxTree.ParseText(block.Code, parse, path: block.File);
        if (rewrite is not null)
        {
            code = code.WithRootAndOptions(new PlaceholderRewriter(rewrite).Visit(code.GetRoot()), parse);
        }

        var trees = new List<SyntaxTree> { code, CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "(implicit usings)") };
        foreach (var context in block.Contexts)
        {
            var path = Path.Combine(ConsumerTests.PackedLibrary.Root, context);
            if (!File.Exists(path))
            {
                return (null, [$"{block.File}:{block.Line - 2}: the context file '{context}' does not exist"]);
            }

            trees.Add(CSharpSyntaxTree.ParseText(File.ReadAllText(path), parse, path: context));
        }

        if (block.Contexts.Count > 0)
        {
            trees.Add(CSharpSyntaxTree.ParseText("global using static SnippetContext;", parse, path: "(context)"));
        }

        var hasStatements = code.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create("snippet", trees, references,
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d =>
        {
            var span = d.Location.GetLineSpan();
            var line = span.Path == block.File ? block.Line + span.StartLinePosition.Line : span.StartLinePosition.Line + 1;
            return $"{span.Path}:{line}: error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
        }).ToList();
        return (result.Success ? image.ToArray() : null, errors);
    }

    /// <summary>Replaces string literals whose whole value is a placeholder (a host name, a user).</summary>
    private sealed class PlaceholderRewriter(Dictionary<string, string> values) : CSharpSyntaxRewriter
    {
        public override SyntaxNode? VisitLiteralExpression(LiteralExpressionSyntax node) =>
            node.IsKind(SyntaxKind.StringLiteralExpression) && values.TryGetValue(node.Token.ValueText, out var value)
                ? SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value)).WithTriviaFrom(node)
                : base.VisitLiteralExpression(node);
    }

    /// <summary>One fenced code block: where it is (the line of its first code line), its language, code, name and contexts.</summary>
    internal sealed partial record Snippet(string File, int Line, string Code, string? Name, IReadOnlyList<string> Contexts, string Language = "csharp")
    {
        /// <summary>The csharp blocks of the documents and of every markdown file under docs/.</summary>
        public static List<Snippet> All(string root, IEnumerable<string> documents) => AllBlocks(root, documents).Where(b => b.Language == "csharp").ToList();

        /// <summary>The block of any language marked <c>&lt;!-- snippet name="..." --&gt;</c> in the README.</summary>
        public static Snippet Named(string root, string name) =>
            AllBlocks(root, ["README.md"]).SingleOrDefault(b => b.Name == name) ?? throw new InvalidDataException($"README.md has no block named '{name}'.");

        private static List<Snippet> AllBlocks(string root, IEnumerable<string> documents)
        {
            var docs = Path.Combine(root, "docs");
            var files = documents.Concat(Directory.Exists(docs)
                ? Directory.GetFiles(docs, "*.md", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)
                : []);
            return files.SelectMany(file => Read(file, System.IO.File.ReadAllLines(Path.Combine(root, file)))).ToList();
        }

        public static IEnumerable<Snippet> Read(string file, string[] lines)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var open = Fence().Match(lines[i]);
                if (!open.Success)
                {
                    continue;
                }

                var indent = open.Groups["indent"].Value.Length;
                var end = SkipTo(lines, i, indent);
                var body = lines[(i + 1)..end].Select(l => l.Length >= indent && string.IsNullOrWhiteSpace(l[..indent]) ? l[indent..] : l.TrimStart());
                var marker = i > 0 ? Marker().Match(lines[i - 1]) : Match.Empty;
                string? name = null;
                var contexts = new List<string>();
                if (marker.Success)
                {
                    foreach (Match attribute in Attribute().Matches(marker.Groups["attributes"].Value))
                    {
                        if (attribute.Groups["key"].Value == "name")
                        {
                            name = attribute.Groups["value"].Value;
                        }
                        else if (attribute.Groups["key"].Value == "context")
                        {
                            contexts.AddRange(attribute.Groups["value"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                        }
                    }
                }

                yield return new Snippet(file, i + 2, string.Join("\n", body) + "\n", name, contexts, open.Groups["lang"].Value.ToLowerInvariant());
                i = end;
            }
        }

        private static int SkipTo(string[] lines, int open, int indent)
        {
            for (var j = open + 1; j < lines.Length; j++)
            {
                if (lines[j].Trim() == "```" && lines[j].Length - lines[j].TrimStart().Length <= indent + 3)
                {
                    return j;
                }
            }

            throw new InvalidDataException($"The code block opened at line {open + 1} is never closed.");
        }

        [GeneratedRegex(@"^(?<indent>\s*)```(?<lang>[\w+#-]*)\s*$")]
        private static partial Regex Fence();

        [GeneratedRegex(@"^\s*<!--\s*snippet\s+(?<attributes>.*?)\s*-->\s*$")]
        private static partial Regex Marker();

        [GeneratedRegex(@"(?<key>\w+)=""(?<value>[^""]*)""")]
        private static partial Regex Attribute();
    }
}
