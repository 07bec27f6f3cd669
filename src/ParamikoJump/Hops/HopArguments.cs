using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using ParamikoJump.Keys;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>paramiko's <c>connect()</c> arguments, gathered so construction can validate them in one place.</summary>
internal sealed class HopArguments
{
    public required string Hostname { get; init; }

    public int Port { get; init; } = 22;

    public string? Username { get; init; }

    public string? Password { get; init; }

    public IReadOnlyList<string> KeyFilenames { get; init; } = [];

    public IReadOnlyList<IPrivateKeySource> Keys { get; init; } = [];

    public string? Passphrase { get; init; }

    public bool LookForKeys { get; init; }

    public bool AllowAgent { get; init; }

    public IKeyboardInteractiveHandler? AuthHandler { get; init; }

    public SshClient? Jump { get; init; }

    public TimeSpan? ConnectTimeout { get; init; }

    public TimeSpan? BannerTimeout { get; init; }

    public TimeSpan? AuthTimeout { get; init; }

    public TimeSpan? ChannelTimeout { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where default keys and the agent are looked for; <see cref="KeyEnvironment.Current"/> when null.</summary>
    public KeyEnvironment? KeyEnvironment { get; init; }
}
