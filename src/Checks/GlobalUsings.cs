// The kernel catalogue every case and check describes.
global using Untapped.Kernels;
