using Microsoft.Extensions.Configuration;

namespace ParamikoJump.Hosting;

/// <summary>The default <see cref="ISshSecretStore"/>: a secret's name is a configuration key (<c>Section:Key</c>).</summary>
internal sealed class ConfigurationSecretStore(IConfiguration configuration) : ISshSecretStore
{
    public string? GetSecret(string name) => configuration[name];
}
