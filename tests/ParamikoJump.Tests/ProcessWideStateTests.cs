using System.Text.RegularExpressions;

namespace ParamikoJump.Tests;

/// <summary>
/// A library must leave process-wide state to the application: thread-pool limits, AppContext switches, static
/// handlers of the runtime, process settings. The library's sources are read for any call that changes one.
/// </summary>
public sealed class ProcessWideStateTests
{
    private static readonly Regex ProcessWideChange = new(
        @"ThreadPool\.Set(Min|Max)Threads|AppContext\.Set(Switch|Data)\s*\(|ServicePointManager\.\w+\s*=|AppDomain\.CurrentDomain\.\w+\s*[+-]?=|" +
        @"TaskScheduler\.UnobservedTaskException\s*[+-]?=|Console\.(CancelKeyPress\s*[+-]?=|\w*Encoding\s*=|TreatControlCAsInput\s*=)|" +
        @"CultureInfo\.(DefaultThread)?Current(UI)?Culture\s*=|Environment\.(SetEnvironmentVariable|Exit|FailFast)\s*\(|GCSettings\.\w+\s*=",
        RegexOptions.CultureInvariant);

    [Fact]
    public void No_source_of_the_library_changes_process_wide_state()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var changes = sources
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, index)))
            .Where(found => !found.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && ProcessWideChange.IsMatch(found.line))
            .Select(found => $"{Path.GetFileName(found.path)}:{found.index + 1}: {found.line.Trim()}")
            .ToList();

        Assert.True(sources.Count > 100, $"only {sources.Count} source files found");
        Assert.Empty(changes);
    }

    [Theory]
    [InlineData("ThreadPool.SetMinThreads(workers + 1, ports);")]
    [InlineData("AppContext.SetSwitch(\"ParamikoJump.ThreadPerTunnel\", true);")]
    [InlineData("AppDomain.CurrentDomain.ProcessExit += OnExit;")]
    [InlineData("Console.CancelKeyPress += OnCancel;")]
    public void The_check_finds_a_process_wide_change(string line) => Assert.Matches(ProcessWideChange, line);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ParamikoJump.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ParamikoJump.sln above {AppContext.BaseDirectory}");
    }
}
