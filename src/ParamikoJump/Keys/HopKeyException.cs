using System;

namespace ParamikoJump.Keys;

/// <summary>
/// A key could not be used: a key file given explicitly could not be read or decrypted
/// (<see cref="HopStage.Setup"/>), or the ssh-agent would not sign with one of its keys
/// (<see cref="HopStage.Authentication"/>). The message names the key, never its passphrase or material.
/// </summary>
public sealed class HopKeyException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="hop">The hop the key was meant for.</param>
    /// <param name="stage">The stage at which it failed.</param>
    /// <param name="keySource">The key: a file path, or <c>ssh-agent</c> and the key's comment and fingerprint.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public HopKeyException(string message, HopIdentity? hop, HopStage stage, string keySource, Exception? innerException = null)
        : base(message, hop, stage, innerException)
    {
        KeySource = keySource;
    }

    /// <summary>The key: a file path, or <c>ssh-agent</c> and the key's comment and fingerprint.</summary>
    public string KeySource { get; }
}
