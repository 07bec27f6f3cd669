// Context for documentation blocks that use passwords without saying where they come from (a vault, an
// environment variable, a prompt). The README snippet test compiles a block that names this file with these in scope.
internal static partial class SnippetContext
{
    /// <summary>A password of the hops in the example.</summary>
    internal static string pw = "";

    /// <summary>The database host's password.</summary>
    internal static string dbPassword = "";
}
