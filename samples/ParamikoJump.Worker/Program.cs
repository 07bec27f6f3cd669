using Microsoft.Extensions.Configuration;
using ParamikoJump.Hosting;
using ParamikoJump.Lab;
using ParamikoJump.Worker;

// A worker service that runs commands on servers behind an MFA bastion, through one shared login, with pooled sessions
// that heal after the bastion restarts. appsettings.json shows the shape of a real deployment; LabHosts fills in the
// same keys (and the secrets a secret store would give) from the lab that tests/lab/lab.sh started.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddInMemoryCollection(LabHosts.Configuration(LabDescription.Load()));
builder.Services.AddSshJumpDataSource();
builder.Services.AddHealthChecks().AddSshJumpDestinations();
builder.Services.AddHostedService<Deployer>();
await builder.Build().RunAsync();
return Environment.ExitCode;
