using Balancer.Cli;

return await CommandLine.RunAsync(args);
