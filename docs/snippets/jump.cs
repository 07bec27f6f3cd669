// Context for documentation blocks that go on from a connected bastion, as the README's first example makes it.
// The README snippet test compiles a block that names this file with these declarations in scope, and nothing else.
using ParamikoJump;

internal static partial class SnippetContext
{
    /// <summary>A connected jump host: <c>new SshJumpClient(hostname: "bastion.example.com", ...)</c> after <c>Connect()</c>.</summary>
    internal static SshJumpClient jumper = null!;
}
