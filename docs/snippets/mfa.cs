// Context for documentation blocks that use an MFA handler made elsewhere, as "MFA handlers that answer by
// themselves" in the README makes one. The README snippet test compiles a block that names this file with it in scope.
using ParamikoJump;
using ParamikoJump.Authentication;

internal static partial class SnippetContext
{
    /// <summary>A handler that answers the bastion's password and code prompts.</summary>
    internal static IKeyboardInteractiveHandler mfa = null!;
}
