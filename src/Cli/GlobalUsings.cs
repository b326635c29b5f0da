// The namespaces every command file of the CLI draws on, once for the project (each command is a file of its own).
global using System.CommandLine;
global using System.Globalization;
global using Spectre.Console;
global using Untapped.Checks;
global using Untapped.Kernels;
global using Untapped.Training;
global using Untapped.Training.Data;
global using Untapped.Training.Evaluation;
global using Untapped.Training.Gate;
global using Untapped.Training.Model;
global using Untapped.Training.Reports;
global using Untapped.Training.Runs;
