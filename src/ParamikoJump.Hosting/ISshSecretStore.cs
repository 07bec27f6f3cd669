namespace ParamikoJump.Hosting;

/// <summary>
/// Gives the value of a secret named in <see cref="SshHostOptions"/>. The default reads the application's
/// <c>IConfiguration</c> (so user secrets, environment variables or a key vault configuration provider serve it);
/// register your own to read a secret store directly.
/// </summary>
public interface ISshSecretStore
{
    /// <summary>The secret's value, or <see langword="null"/> when there is none by that name.</summary>
    /// <param name="name">The secret's name as configured.</param>
    /// <returns>The value; never logged by ParamikoJump.</returns>
    string? GetSecret(string name);
}
