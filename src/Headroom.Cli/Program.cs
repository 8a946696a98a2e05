using Headroom.Cli;

return HeadroomApp.Run(args, Console.Out, Console.Error);
