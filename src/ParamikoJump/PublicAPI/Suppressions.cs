using System.Diagnostics.CodeAnalysis;

// 0.2 moved IKeyboardInteractiveHandler into ParamikoJump.Authentication, so the analyzer sees SshJumpClient's two
// shipped constructors with optional parameters as new overloads added beside each other. They are the same
// overloads as in 0.1 (the named-argument one of paramiko and the ConnectionInfo one of SSH.NET), not an addition.
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The 0.1 constructors, renamed only by the namespace move of their parameter types.",
    Scope = "member",
    Target = "~M:ParamikoJump.SshJumpClient.#ctor(System.String,System.Int32,System.String,System.String,System.Collections.Generic.IEnumerable{System.String},System.Collections.Generic.IEnumerable{Renci.SshNet.IPrivateKeySource},System.String,System.Boolean,System.Boolean,ParamikoJump.Authentication.IKeyboardInteractiveHandler,Renci.SshNet.SshClient,System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},ParamikoJump.HostKeys.IMissingHostKeyPolicy,ParamikoJump.HostKeys.KnownHosts,Microsoft.Extensions.Logging.ILoggerFactory)")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The 0.1 constructors, renamed only by the namespace move of their parameter types.",
    Scope = "member",
    Target = "~M:ParamikoJump.SshJumpClient.#ctor(Renci.SshNet.ConnectionInfo,Renci.SshNet.SshClient,ParamikoJump.Authentication.IKeyboardInteractiveHandler,ParamikoJump.HostKeys.IMissingHostKeyPolicy,ParamikoJump.HostKeys.KnownHosts)")]
