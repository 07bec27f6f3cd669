using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// The running lab, read once per test run. Without a lab, tests are skipped with the reason, except under
/// CI=true, where a missing lab fails every test: CI must never pass on skipped integration tests.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    private LabDescription? _lab;
    private string _unavailable = "the lab has not been read";

    public LabDescription Lab => _lab ?? throw SkipOrFail();

    public ValueTask InitializeAsync()
    {
        try
        {
            _lab = LabDescription.Load();
        }
        catch (Exception ex) when (ex is FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            _unavailable = ex.Message;
            if (Unavailable.UnderCi)
            {
                throw new InvalidOperationException($"CI=true, so the lab must be running: {ex.Message}", ex);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private InvalidOperationException SkipOrFail()
    {
        Assert.Skip($"No lab: {_unavailable}");
        return new InvalidOperationException("unreachable");
    }
}

[CollectionDefinition(Name)]
public sealed class LabCollectionDefinition : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}
