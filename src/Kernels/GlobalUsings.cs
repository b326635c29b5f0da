// What every family folder's files draw on, once for the assembly: ILGPU for the device kernels and their launches,
// the launch shapes and numerical constants both sides share, and V for a float view in a launch.
global using ILGPU;
global using ILGPU.Runtime;
global using Untapped.Kernels.Ilgpu.Kernels;
global using static Untapped.Kernels.KernelConstants;
global using static Untapped.Kernels.LaunchShape;
global using V = ILGPU.ArrayView<float>;
