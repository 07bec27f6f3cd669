using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Tests.SshNet;

/// <summary>
/// Pins every row of <see cref="SshNetSeams"/>, the one table of places ParamikoJump reaches past SSH.NET's public
/// API, against the SSH.NET assembly this build references; and shows that each of those pins can fail.
/// </summary>
public class SshNetSeamsTableTests
{
    private const string TableStart = "<!-- seams:begin (generated from src/ParamikoJump/SshNet/SshNetSeams.cs; SshNetSeamsTableTests checks it) -->";
    private const string TableEnd = "<!-- seams:end -->";

    public static TheoryData<string> Rows => new(SshNetSeams.All.Select(seam => seam.Name));

    [Fact]
    public void The_table_was_read_from_the_SSH_NET_this_build_references()
    {
        var version = typeof(Session).Assembly.GetName().Version!;

        Assert.Equal(SshNetSeams.PinnedVersion, $"SSH.NET {version.Major}.{version.Minor}.{version.Build}");
        Assert.Equal(SshNetSeams.All.Count, SshNetSeams.All.Select(seam => seam.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_seam_resolves_to_members_of_the_shape_it_needs(string name)
    {
        var seam = Row(name);

        Assert.True(seam.IsAvailable, $"SSH.NET {SshNetSeams.VersionFound}: the seam \"{name}\" does not hold: {string.Join("; ", seam.Missing)}. Fallback in force: {seam.Fallback}.");
        Assert.NotEmpty(seam.Reaches);
        Assert.Equal(seam.Lookups, seam.Sabotaged(-1).Lookups);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_lookup_of_a_seam_given_a_wrong_name_is_reported_missing_and_its_fallback_logged_once(string name)
    {
        var seam = Row(name);
        var output = new StringBuilder($"{name}: {seam.Lookups} lookups");

        for (var lookup = 0; lookup < seam.Lookups; lookup++)
        {
            var broken = seam.Sabotaged(lookup);
            var log = new ListLogger();

            Assert.False(broken.IsAvailable, $"lookup {lookup} of \"{name}\" was given a wrong name and still resolved");
            Assert.False(broken.IsAvailableOrWarn(log));
            Assert.False(broken.IsAvailableOrWarn(log));

            var (level, message) = Assert.Single(log.Entries);
            Assert.Equal(LogLevel.Warning, level);
            Assert.Contains($"\"{name}\"", message, StringComparison.Ordinal);
            Assert.Contains($"SSH.NET {SshNetSeams.VersionFound}", message, StringComparison.Ordinal);
            Assert.Contains($"Fallback: {seam.Fallback}", message, StringComparison.Ordinal);
            Assert.Contains("Sabotaged", string.Join(" ", broken.Missing) + SabotagedRequirement(broken), StringComparison.Ordinal);
            output.Append(lookup == 0 ? $"; lookup 0 broken: {message}" : string.Empty);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
    }

    [Fact]
    public void A_seam_that_holds_logs_nothing()
    {
        var log = new ListLogger();

        SshNetSeams.WarnOfFallbacks(log);

        Assert.Empty(log.Entries);
    }

    [Fact]
    public void README_lists_every_seam_as_the_table_says()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var start = readme.IndexOf(TableStart, StringComparison.Ordinal);
        var end = readme.IndexOf(TableEnd, StringComparison.Ordinal);

        Assert.True(start >= 0 && end > start, $"README.md has no seams table between {TableStart} and {TableEnd}");
        var actual = readme[(start + TableStart.Length)..end].Trim().ReplaceLineEndings("\n");
        Assert.True(actual == Markdown(), $"README.md's seams table differs from SshNetSeams.All; it should read:\n{Markdown()}");
    }

    private static Seam Row(string name) => SshNetSeams.All.Single(seam => seam.Name == name);

    /// <summary>A sabotaged Require has no name to misspell: its description is what is reported.</summary>
    private static string SabotagedRequirement(Seam broken) => broken.Missing.Any(m => !m.Contains("Sabotaged", StringComparison.Ordinal)) ? "Sabotaged" : string.Empty;

    private static string Markdown()
    {
        var table = new StringBuilder("| seam | what ParamikoJump reaches | read from | fallback when it does not resolve |\n|---|---|---|---|\n");
        foreach (var seam in SshNetSeams.All)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {seam.Name} | {string.Join(", ", seam.Reaches.Distinct().Select(member => $"`{member}`"))} | {seam.PinnedTo} | {seam.Fallback} |\n");
        }

        return table.ToString().TrimEnd();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "README.md")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }
}
