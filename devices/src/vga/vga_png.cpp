// PNG output of a rendered screen through libpng's simplified API (png_image, libpng >= 1.6),
// which reports errors as return values, so no setjmp/longjmp crosses C++ frames.
#include <png.h>

#include <fmt/format.h>

#include "devices/vga.h"

namespace pcjit::devices {

void write_png(const RgbImage& image, const std::string& path) {
  if (image.width == 0 || image.height == 0 || image.pixels.size() < std::size_t{image.width} * image.height * 3)
    throw Error(fmt::format("{}: cannot write an empty screen image", path));
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = image.width;
  png.height = image.height;
  png.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&png, path.c_str(), 0, image.pixels.data(), 0, nullptr))
    throw Error(fmt::format("{}: cannot write PNG: {}", path, png.message));
}

}  // namespace pcjit::devices
