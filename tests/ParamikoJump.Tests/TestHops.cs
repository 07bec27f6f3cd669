namespace ParamikoJump.Tests;

internal static class TestHops
{
    public static readonly HopIdentity Bastion = new("bastion.example", 22, "ops");
    public static readonly HopIdentity Target = new("db.internal", 2222, "admin", Bastion);

    public static KeyboardInteractiveRound Round(int number, params (string Text, bool Echo)[] prompts) =>
        new(Target, number, "", "", prompts.Select((p, i) => new KeyboardInteractivePrompt(i, p.Text, p.Echo)).ToList());
}
