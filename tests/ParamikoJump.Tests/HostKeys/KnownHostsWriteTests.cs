using System.Diagnostics;
using System.Text;
using ParamikoJump.HostKeys;

namespace ParamikoJump.Tests.HostKeys;

public class KnownHostsWriteTests
{
    private static readonly KeyMaterial Keys = KeyMaterial.Instance;

    [Fact]
    public void Adding_appends_and_leaves_every_existing_byte_as_it_was()
    {
        var file = NewFile();
        var before = "# my notes\n@bogus marker line\nhost1,host2 " + Keys.Ecdsa + "  odd   spacing\r\n\n|1|not|a-hash\nlast line without newline";
        File.WriteAllText(file, before);
        var store = new KnownHosts();
        store.LoadHostKeys(file);

        store.Add("[db.internal]:2222", SshKeygen.Blob(Keys.Ed25519A));

        var after = File.ReadAllText(file);
        Assert.StartsWith(before + "\n", after, StringComparison.Ordinal);
        Assert.Equal("[db.internal]:2222 " + Prefix(Keys.Ed25519A) + "\n", after[(before.Length + 1)..]);
        Assert.Equal([(7, "")], SshKeygen.Find("[db.internal]:2222", file));
    }

    [Fact]
    public void The_folders_and_file_an_addition_creates_get_OpenSSHs_modes_0700_and_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var home = TestDirectories.Create("pj-modes-");
        var file = Path.Combine(home, ".ssh", "sub", "known_hosts");
        var store = new KnownHosts();
        store.LoadHostKeys(file);

        store.Add("db.internal", SshKeygen.Blob(Keys.Ed25519A));

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(home, ".ssh")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(home, ".ssh", "sub")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void An_existing_file_and_folder_keep_their_modes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = NewFile();
        File.WriteAllText(file, "");
        const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(file, Shared);
        var folderMode = File.GetUnixFileMode(Path.GetDirectoryName(file)!);
        var store = new KnownHosts();
        store.LoadHostKeys(file);

        store.Add("db.internal", SshKeygen.Blob(Keys.Ed25519A));

        Assert.Equal(Shared, File.GetUnixFileMode(file));
        Assert.Equal(folderMode, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
    }

    [Fact]
    public void An_added_key_is_known_at_once_with_its_file_and_line()
    {
        var file = NewFile();
        File.WriteAllText(file, $"other {Keys.Ecdsa}\n");
        var store = new KnownHosts();
        store.LoadHostKeys(file);

        store.Add("db.internal", SshKeygen.Blob(Keys.Ed25519A));

        var check = store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, DateTimeOffset.UtcNow);
        Assert.Equal(HostKeyVerdict.Known, check.Verdict);
        Assert.Equal($"{file}:2", check.Line!.Location);
    }

    [Fact]
    public void Hashed_names_are_written_when_asked_and_OpenSSH_finds_them()
    {
        var file = NewFile();
        var store = new KnownHosts { HashHostNames = true };
        store.LoadHostKeys(file);

        store.Add("[DB.internal]:2222", SshKeygen.Blob(Keys.Ed25519A));

        var line = File.ReadAllText(file);
        Assert.StartsWith("|1|", line, StringComparison.Ordinal);
        Assert.DoesNotContain("db.internal", line, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([(1, "")], SshKeygen.Find("[db.internal]:2222", file));
    }

    [Fact]
    public void Without_a_writable_file_added_keys_live_in_memory_and_Save_writes_them()
    {
        var store = new KnownHosts();
        var file = NewFile();
        File.WriteAllText(file, "# keep me\n");

        store.Add("db.internal", SshKeygen.Blob(Keys.Ed25519A));
        var check = store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, DateTimeOffset.UtcNow);
        store.SaveHostKeys(file);
        store.SaveHostKeys(file);

        Assert.Equal(HostKeyVerdict.Known, check.Verdict);
        Assert.Equal("(added in memory):1", check.Line!.Location);
        Assert.Equal("# keep me\ndb.internal " + Prefix(Keys.Ed25519A) + "\n", File.ReadAllText(file));
    }

    [Fact]
    public void Save_copies_the_writable_files_entries_that_the_target_lacks_and_nothing_else()
    {
        var source = NewFile();
        var target = NewFile();
        File.WriteAllText(source, $"# comment\nweb {Keys.Ecdsa}\ndb {Keys.Ed25519A}\n");
        File.WriteAllText(target, $"db {Keys.Ed25519A}\n");
        var store = new KnownHosts();
        store.LoadHostKeys(source);

        store.SaveHostKeys(target);

        Assert.Equal($"db {Keys.Ed25519A}\nweb {Keys.Ecdsa}\n", File.ReadAllText(target));
    }

    [Fact]
    public void Writers_adding_at_once_all_keep_their_lines_and_no_line_is_torn()
    {
        var file = NewFile();
        File.WriteAllText(file, "# shared\n");
        const int Writers = 8;
        const int Each = 25;
        var key = SshKeygen.Blob(Keys.Ed25519A);

        // Each writer has its own store and so its own file handle, as separate processes would.
        Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, writer =>
        {
            var store = new KnownHosts();
            store.LoadHostKeys(file);
            for (var i = 0; i < Each; i++)
            {
                store.Add($"w{writer}-h{i}", key);
            }
        });

        var lines = File.ReadAllLines(file);
        Assert.Equal(1 + (Writers * Each), lines.Length);
        var expected = " " + Prefix(Keys.Ed25519A);
        Assert.All(lines.Skip(1), l => Assert.EndsWith(expected, l, StringComparison.Ordinal));
        Assert.Equal(Writers * Each, lines.Skip(1).Select(l => l.Split(' ')[0]).Distinct().Count());
    }

    [Fact]
    public async Task A_reader_never_sees_half_a_line_while_writers_append()
    {
        var file = NewFile();
        File.WriteAllText(file, "# start\n");
        var key = SshKeygen.Blob(Keys.Ed25519A);
        var writing = Task.Run(() =>
        {
            var store = new KnownHosts();
            store.LoadHostKeys(file);
            for (var i = 0; i < 200; i++)
            {
                store.Add($"host{i}", key);
            }
        }, TestContext.Current.CancellationToken);

        while (!writing.IsCompleted)
        {
            var reader = new KnownHosts();
            reader.LoadSystemHostKeys(file);
            var text = ReadShared(file);
            Assert.True(text.EndsWith('\n'), "a partial line was visible");
        }

        await writing;
    }

    private static string ReadShared(string file)
    {
        // A writer holds the file's lock for microseconds at a time; on a loaded machine give it a few seconds.
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return reader.ReadToEnd();
            }
            catch (IOException) when (started.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(1);
            }
        }
    }

    private static string Prefix(string publicKeyLine) => string.Join(' ', publicKeyLine.Split(' ').Take(2));

    private static string NewFile() => Path.Combine(TestDirectories.Create("pj-write-"), "known_hosts");
}
