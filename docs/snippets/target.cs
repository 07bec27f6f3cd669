// Context for documentation blocks that go on from a connected target behind the bastion (the first example's
// target). The README snippet test compiles a block that names this file with these declarations in scope.
using ParamikoJump;

internal static partial class SnippetContext
{
    /// <summary>A connected target: <c>new SshJumpClient(hostname: "10.0.0.5", ..., jumpSession: jumper)</c> after <c>Connect()</c>.</summary>
    internal static SshJumpClient target = null!;
}
