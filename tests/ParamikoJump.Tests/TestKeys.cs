namespace ParamikoJump.Tests;

internal static class TestKeys
{
    // A throwaway key made for these tests; it is authorised nowhere.
    public const string Ed25519 = """
        -----BEGIN OPENSSH PRIVATE KEY-----
        b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
        QyNTUxOQAAACA8Hup9bv197FoMWoZMWX/aR+7PDPQJgBuoP3Xpta7zEQAAAJCgBBHDoAQR
        wwAAAAtzc2gtZWQyNTUxOQAAACA8Hup9bv197FoMWoZMWX/aR+7PDPQJgBuoP3Xpta7zEQ
        AAAED57WWPtbZqnGyVTzW4kk5rTfV6lDsYkGKxdqFfkN9A0jwe6n1u/X3sWgxahkxZf9pH
        7s8M9AmAG6g/dem1rvMRAAAADXVuaXQtdGVzdC1rZXk=
        -----END OPENSSH PRIVATE KEY-----
        """;
}
