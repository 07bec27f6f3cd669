using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// The packed library as users outside .NET 10 consume it: a .NET Framework 4.7.2 application that treats warnings as
/// errors, built against the .nupkg and run under Mono, and the README's PowerShell 7 script run by the PowerShell
/// global tool. Both go through the lab. Mono and PowerShell come from tests/compat/install.sh (run by tests/run).
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ConsumerTests(LabFixture fixture, ConsumerTests.PackedLibrary package) : IClassFixture<ConsumerTests.PackedLibrary>
{
    private static readonly TimeSpan ToolBudget = TimeSpan.FromMinutes(3);

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 300_000)]
    public async Task A_net472_application_that_treats_warnings_as_errors_builds_against_the_package_and_connects_through_a_jump_under_Mono()
    {
        var lab = Lab;
        var mono = PackedLibrary.Require("mono", "/usr/bin/mono");
        var output = Path.Combine(package.WorkDirectory, "net472");

        var build = await Run("dotnet", ["build", Path.Combine(PackedLibrary.Root, "tests", "compat", "net472"), "-c", "Release", "-nologo", "-o", output, .. package.RestoreArguments]);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotMatch(@": warning [A-Z]+\d+", build.Output);
        Assert.Contains(" 0 Warning(s)", build.Output, StringComparison.Ordinal);

        var jump = lab["bastion-password"];
        var target = lab["target-password"];
        var foreignConfig = Path.Combine(package.WorkDirectory, "foreign_ssh_config");
        var mainConfig = Path.Combine(package.WorkDirectory, "ssh_config_including_foreign");
        await File.WriteAllTextAsync(foreignConfig, "User from-nobody\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(mainConfig, $"Host any\n  Include {foreignConfig}\n", TestContext.Current.CancellationToken);
        Assert.Equal(0, (await Run("chown", ["nobody", foreignConfig])).ExitCode);
        var run = await Run(mono, [Path.Combine(output, "Net472Consumer.exe"), lab.KnownHosts, jump.Host, jump.Port.ToString(CultureInfo.InvariantCulture), jump.User, "-", target.Host,
            target.Port.ToString(CultureInfo.InvariantCulture), target.User, "-"], environment: new()
        {
            ["PJ_JUMP_PASSWORD"] = jump.Credentials().Password!,
            ["PJ_TARGET_PASSWORD"] = target.Credentials().Password!,
            ["PJ_FOREIGN_CONFIG"] = mainConfig,
        });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("runtime: Mono ", run.Output, StringComparison.Ordinal);
        Assert.Contains($"target: {target.User} via 10.231.2.1", run.Output, StringComparison.Ordinal);
        Assert.Contains("empty stdin: 0", run.Output, StringComparison.Ordinal);
        Assert.Contains($"hop: {target.User}@{target.Host}:{target.Port} via {jump.User}@{jump.Host}:{jump.Port}", run.Output, StringComparison.Ordinal);
        Assert.True(run.Output.Contains($"foreign config: refused: {foreignConfig} line 0: Bad owner or permissions: the file belongs to uid 65534", StringComparison.Ordinal), run.Output);
    }

    [Fact(Timeout = 300_000)]
    public async Task The_READMEs_PowerShell_script_runs_a_command_behind_an_MFA_bastion_with_the_PowerShell_global_tool()
    {
        var lab = Lab;
        var pwsh = PackedLibrary.Require("PowerShell", Path.Combine(PackedLibrary.Root, "artifacts", "tools", "pwsh"));
        var lib = await package.PowerShellLibrary();
        var bastion = lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var target = lab["target-key"];
        var script = Path.Combine(PackedLibrary.Root, "samples", "powershell", "Invoke-ThroughJump.ps1");

        var run = await Run(pwsh, ["-NoProfile", "-NonInteractive", "-File", script, "-Lib", lib, "-Bastion", bastion.Host, "-BastionPort", bastion.Port.ToString(CultureInfo.InvariantCulture),
            "-BastionUser", "pjmfa", "-Target", target.Host, "-TargetPort", target.Port.ToString(CultureInfo.InvariantCulture), "-TargetUser", target.User,
            "-TargetKey", lab.KeyFile("ed25519"), "-KnownHosts", lab.KnownHosts, "-Command", "echo $(whoami) at $(echo $SSH_CONNECTION | cut -d' ' -f3)"],
            input: $"{secrets.Password}\n{secrets.Totp()}\n");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("(pjmfa@10.231.1.1) Password:", run.Output, StringComparison.Ordinal);
        Assert.Contains("(pjmfa@10.231.1.1) Verification code:", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{target.User} at {target.Address}", run.Output, StringComparison.Ordinal);
        Assert.Contains("exit status: 0", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets.Password!, run.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task PowerShell_binds_Connect_and_ConnectAsync_with_and_without_a_token_to_the_methods_that_raise_typed_errors()
    {
        var pwsh = PackedLibrary.Require("PowerShell", Path.Combine(PackedLibrary.Root, "artifacts", "tools", "pwsh"));
        var lib = await package.PowerShellLibrary();
        var probe = $$"""
            $ErrorActionPreference = 'Stop'
            Add-Type -Path '{{Path.Combine(lib, "ParamikoJump.dll")}}'
            $settings = [ParamikoJump.HopSettings]::new('127.0.0.1')
            $settings.Port = 1; $settings.Password = 'unused'; $settings.LookForKeys = $false; $settings.AllowAgent = $false
            $client = [ParamikoJump.SshJumpClient]::new($settings)
            foreach ($call in { $client.Connect() }, { $client.ConnectAsync().GetAwaiter().GetResult() },
                              { $client.ConnectAsync([Threading.CancellationToken]::None).GetAwaiter().GetResult() }) {
                try { & $call; 'connected?' }
                catch { $e = $_.Exception; while ($e.InnerException -and $e -isnot [ParamikoJump.IHopFailure]) { $e = $e.InnerException }; 'raised ' + $e.GetType().Name + ' ' + $e.Stage }
            }
            """;

        var run = await Run(pwsh, ["-NoProfile", "-NonInteractive", "-Command", probe]);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("ambiguous", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, run.Output.Split('\n').Count(line => line.Trim() == "raised HopConnectionException TcpConnect"));
    }

    [Fact]
    public void The_README_shows_the_PowerShell_script_that_is_tested_word_for_word()
    {
        var readme = File.ReadAllText(Path.Combine(PackedLibrary.Root, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var script = File.ReadAllText(Path.Combine(PackedLibrary.Root, "samples", "powershell", "Invoke-ThroughJump.ps1")).Replace("\r\n", "\n", StringComparison.Ordinal);

        Assert.Contains("```powershell\n" + script.TrimEnd() + "\n```", readme, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> Run(string file, IEnumerable<string> arguments, string? input = null, Dictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var reading = Task.WhenAll(Copy(process.StandardOutput, output), Copy(process.StandardError, output));
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        using var budget = new CancellationTokenSource(ToolBudget);
        try
        {
            await process.WaitForExitAsync(budget.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} ran past {ToolBudget}: {output}");
        }

        await reading;
        return (process.ExitCode, output.ToString());
    }

    private static async Task Copy(StreamReader from, StringBuilder to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.AppendLine(line);
            }
        }
    }

    /// <summary>The library packed once per run into a folder feed, under a version of its own so no cache serves an older build.</summary>
    public sealed class PackedLibrary : IAsyncLifetime
    {
        private readonly SemaphoreSlim _publish = new(1, 1);
        private string? _powerShellLibrary;

        public static string Root { get; } = FindRoot();

        public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("pj-consumers-").FullName;

        /// <summary>
        /// A stable version no published package has, so that the README's <c>dotnet add package ParamikoJump</c>
        /// (which takes the highest stable version of every source) takes this build from the folder feed.
        /// </summary>
        public string Version { get; } = $"9999.{DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60}.{Environment.ProcessId}";

        public string Feed => Path.Combine(WorkDirectory, "feed");

        public string[] RestoreArguments => [$"-p:ParamikoJumpVersion={Version}", $"-p:RestoreAdditionalProjectSources={Feed}"];

        public async ValueTask InitializeAsync()
        {
            var pack = await Run("dotnet", ["pack", Path.Combine(Root, "src", "ParamikoJump"), "-c", "Release", "-nologo", "-o", Feed, $"-p:PackageVersion={Version}"]);
            Assert.True(pack.ExitCode == 0, pack.Output);
            using var nupkg = ZipFile.OpenRead(PackagePath);
            var library = nupkg.GetEntry("lib/net8.0/ParamikoJump.dll") ?? throw new InvalidDataException($"{PackagePath} has no lib/net8.0/ParamikoJump.dll.");
            Directory.CreateDirectory(Path.GetDirectoryName(Net8Library)!);
            library.ExtractToFile(Net8Library);
        }

        /// <summary>The packed .nupkg in the folder feed.</summary>
        public string PackagePath => Path.Combine(Feed, $"ParamikoJump.{Version}.nupkg");

        /// <summary>The package's lib/net8.0/ParamikoJump.dll, as a net8.0+ consumer gets it.</summary>
        public string Net8Library => Path.Combine(WorkDirectory, "lib-net8.0", "ParamikoJump.dll");

        public ValueTask DisposeAsync()
        {
            _publish.Dispose();
            Directory.Delete(WorkDirectory, recursive: true);

            // Restores put this run's version into the user's package cache; it serves nothing later.
            var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
                ? packages
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "paramikojump", Version.ToLowerInvariant());
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }

            return ValueTask.CompletedTask;
        }

        /// <summary>
        /// The folder PowerShell loads ParamikoJump from, made by running the README's setup block as written, in
        /// PowerShell, with this run's folder feed added to the package sources by a nuget.config beside it.
        /// </summary>
        public async Task<string> PowerShellLibrary()
        {
            await _publish.WaitAsync();
            try
            {
                if (_powerShellLibrary is null)
                {
                    var pwsh = Require("PowerShell", Path.Combine(Root, "artifacts", "tools", "pwsh"));
                    var setup = ReadmeSnippetTests.Snippet.Named(Root, "powershell-setup");
                    Assert.Equal("powershell", setup.Language);
                    var folder = Path.Combine(WorkDirectory, "pwsh");
                    Directory.CreateDirectory(folder);
                    File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
                        <?xml version="1.0" encoding="utf-8"?>
                        <configuration>
                          <packageSources>
                            <add key="this-run" value="{Feed}" />
                          </packageSources>
                        </configuration>
                        """);
                    var run = await Run(pwsh, ["-NoProfile", "-NonInteractive", "-Command", setup.Code], workingDirectory: folder);
                    Assert.True(run.ExitCode == 0, $"README.md:{setup.Line}: the PowerShell setup failed:\n{run.Output}");
                    var library = Path.Combine(folder, "ParamikoJumpLib");
                    Assert.True(File.Exists(Path.Combine(library, "ParamikoJump.dll")), run.Output);
                    Assert.Equal(File.ReadAllBytes(Net8Library), File.ReadAllBytes(Path.Combine(library, "ParamikoJump.dll")));
                    _powerShellLibrary = library;
                }

                return _powerShellLibrary;
            }
            finally
            {
                _publish.Release();
            }
        }

        /// <summary>A tool tests/compat/install.sh installs: a failure under CI=true, a skip elsewhere.</summary>
        public static string Require(string name, string path)
        {
            if (File.Exists(path))
            {
                return path;
            }

            Unavailable.SkipOrFail($"{name} is not installed at {path}: run 'bash tests/compat/install.sh' as root (tests/run does).");
            return path;
        }

        private static string FindRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ParamikoJump.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No ParamikoJump.sln above {AppContext.BaseDirectory}.");
        }
    }
}
