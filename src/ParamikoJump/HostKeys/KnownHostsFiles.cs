using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using ParamikoJump.Configuration;

namespace ParamikoJump.HostKeys;

/// <summary>
/// Reads and appends known_hosts files without ever rewriting them. Within the process, readers and writers of a
/// file take turns on a lock of their own; an append also takes the file's exclusive lock (FileShare.None: flock on
/// Unix, a share lock on Windows) so writers in other processes that do the same take turns too. The new lines go
/// out in one write, after a newline if the file lacked a final one. What it creates gets OpenSSH's modes: folders
/// 0700 (as ssh creates <c>~/.ssh</c>), files 0600, before a byte is written.
/// </summary>
internal static class KnownHostsFiles
{
    private const uint PrivateFolder = 0x1C0; // 0700
    private const uint PrivateFile = 0x180; // 0600

    /// <summary>How long to keep trying a file another process holds (an append holds it for microseconds).</summary>
    private static readonly TimeSpan OtherProcessBudget = TimeSpan.FromSeconds(2);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly ConcurrentDictionary<string, object> Turns = new(StringComparer.Ordinal);

    /// <summary>The lines of a file, or <see langword="null"/> when it does not exist.</summary>
    public static List<KnownHostsLine>? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string text;
        lock (TurnOf(path))
        {
            using var stream = Open(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Utf8, detectEncodingFromByteOrderMarks: false);
            text = reader.ReadToEnd();
        }

        // Lines end at '\n' only, as OpenSSH reads them, so line numbers agree with ssh-keygen's; a '\r' before
        // it is dropped so files edited on Windows still read.
        var raw = text.Split('\n');
        var count = text.Length == 0 ? 0 : text.EndsWith("\n", StringComparison.Ordinal) ? raw.Length - 1 : raw.Length;
        var lines = new List<KnownHostsLine>(count);
        for (var i = 0; i < count; i++)
        {
            var line = raw[i].EndsWith("\r", StringComparison.Ordinal) ? raw[i].Substring(0, raw[i].Length - 1) : raw[i];
            lines.Add(KnownHostsLine.Parse(line, path, i + 1));
        }

        return lines;
    }

    /// <summary>Appends whole lines to a file, creating it (and its directory) if needed.</summary>
    public static void Append(string path, IReadOnlyCollection<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            CreatePrivateFolder(directory!);
        }

        lock (TurnOf(path))
        {
            AppendInTurn(path, lines);
        }
    }

    private static object TurnOf(string path) => Turns.GetOrAdd(Path.GetFullPath(path), _ => new object());

    /// <summary>Creates a folder and its missing parents, each 0700.</summary>
    private static void CreatePrivateFolder(string directory)
    {
        var missing = new List<string>();
        for (var folder = directory; !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing.Add(folder!);
        }

        Directory.CreateDirectory(directory);
        if (UnixFiles.Applies)
        {
            foreach (var folder in missing)
            {
                SetMode(folder, PrivateFolder);
            }
        }
    }

    private static void SetMode(string path, uint mode)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
#else
        UnixFiles.SetMode(path, mode);
#endif
    }

    private static void AppendInTurn(string path, IReadOnlyCollection<string> lines)
    {
        var created = !File.Exists(path);
        using var stream = Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        if (created && stream.Length == 0 && UnixFiles.Applies)
        {
            // Before the first line goes in: a new known_hosts is the user's alone, as ssh makes it.
            SetMode(path, PrivateFile);
        }

        var text = new StringBuilder();
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() != '\n')
            {
                text.Append('\n');
            }
        }

        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        var bytes = Utf8.GetBytes(text.ToString());
        stream.Seek(0, SeekOrigin.End);
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(flushToDisk: true);
    }

    private static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                // bufferSize 1: no internal buffer, so the one Write call is one write to the file.
                return new FileStream(path, mode, access, share, bufferSize: 1);
            }
            catch (IOException) when (File.Exists(path) && Stopwatch.GetTimestamp() - started < OtherProcessBudget.TotalSeconds * Stopwatch.Frequency)
            {
                // Another process holds the file's lock for the few microseconds an append takes: let it run.
                Thread.Yield();
            }
        }
    }
}
