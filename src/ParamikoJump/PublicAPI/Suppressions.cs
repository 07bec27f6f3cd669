using System.Diagnostics.CodeAnalysis;

// Since 0.1.0 the handler type is ParamikoJump.Authentication.IKeyboardInteractiveHandler, so the analyzer sees
// SshJumpClient's two shipped constructors with optional parameters as new overloads added beside each other. They
// are the same overloads as in 0.1.0 (paramiko's named arguments, SSH.NET's ConnectionInfo), not an addition.
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The 0.1 constructors, renamed only by the namespace move of their parameter types.",
    Scope = "member",
    Target = "~M:ParamikoJump.SshJumpClient.#ctor(System.String,System.Int32,System.String,System.String,System.Collections.Generic.IEnumerable{System.String},System.Collections.Generic.IEnumerable{Renci.SshNet.IPrivateKeySource},System.String,System.Boolean,System.Boolean,ParamikoJump.Authentication.IKeyboardInteractiveHandler,Renci.SshNet.SshClient,System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},System.Nullable{System.TimeSpan},ParamikoJump.HostKeys.IMissingHostKeyPolicy,ParamikoJump.HostKeys.KnownHosts,Microsoft.Extensions.Logging.ILoggerFactory)")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The 0.1 constructors, renamed only by the namespace move of their parameter types.",
    Scope = "member",
    Target = "~M:ParamikoJump.SshJumpClient.#ctor(Renci.SshNet.ConnectionInfo,Renci.SshNet.SshClient,ParamikoJump.Authentication.IKeyboardInteractiveHandler,ParamikoJump.HostKeys.IMissingHostKeyPolicy,ParamikoJump.HostKeys.KnownHosts)")]
