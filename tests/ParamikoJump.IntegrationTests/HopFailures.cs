namespace ParamikoJump.IntegrationTests;

internal static class HopFailures
{
    /// <summary>The hop and stage of an error ParamikoJump raised; fails the test if it is SSH.NET's own.</summary>
    public static IHopFailure Failure(this Exception error) => Assert.IsAssignableFrom<IHopFailure>(error);
}
