// Raw disk images with a copy-on-write overlay (see disk_image.h).
#include "devices/disk_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pcjit::devices {

namespace {
// Standard PC floppy formats by image size (IBM PC/AT BIOS drive types; CMOS type nibble per the
// AT CMOS layout: 1 = 360K, 2 = 1.2M, 3 = 720K, 4 = 1.44M, 5 = 2.88M).
constexpr std::array<std::pair<u64, FloppyGeometry>, 8> kFloppyFormats{{
    {163840, {40, 1, 8, 1}},
    {184320, {40, 1, 9, 1}},
    {327680, {40, 2, 8, 1}},
    {368640, {40, 2, 9, 1}},
    {737280, {80, 2, 9, 3}},
    {1228800, {80, 2, 15, 2}},
    {1474560, {80, 2, 18, 4}},
    {2949120, {80, 2, 36, 5}},
}};

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw Error(fmt::format("{}: {}", path, why));
}

unsigned sector_size_for(DiskMedia media) { return media == DiskMedia::Cdrom ? 2048 : 512; }

void check_size(const std::string& path, u64 size, DiskMedia media) {
  if (size == 0) fail(path, "the image is empty");
  if (media == DiskMedia::Floppy) {
    if (!floppy_geometry_for_size(size))
      fail(path, fmt::format("{} bytes is not a floppy format (expected e.g. 1474560 for 1.44 MB)", size));
    return;
  }
  // ISO images are read in 2048-byte blocks, but hybrid images are only promised to be whole
  // 512-byte sectors (like QEMU, a trailing partial CD block is not addressable).
  if (size % 512 != 0) fail(path, fmt::format("{} bytes is not a multiple of the 512-byte sector", size));
}
}  // namespace

std::optional<FloppyGeometry> floppy_geometry_for_size(u64 bytes) {
  for (const auto& [size, geo] : kFloppyFormats)
    if (size == bytes) return geo;
  return std::nullopt;
}

std::unique_ptr<DiskImage> DiskImage::open(const std::string& path, bool writable) {
  return open(path, DiskOpenOptions{.writable = writable});
}

std::unique_ptr<DiskImage> DiskImage::open(const std::string& path, const DiskOpenOptions& options) {
  std::unique_ptr<DiskImage> d(new DiskImage());
  d->path_ = path;
  d->media_ = options.media;
  d->sector_size_ = sector_size_for(options.media);
  d->write_through_ = options.writable && !options.snapshot && options.media != DiskMedia::Cdrom;
  int fd = ::open(path.c_str(), (d->write_through_ ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0 && d->write_through_ && (errno == EACCES || errno == EROFS || errno == EPERM)) {
    // No write permission: the guest still gets a writable disk, its writes stay in the overlay.
    d->write_through_ = false;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) fail(path, fmt::format("cannot open: {}", std::strerror(errno)));
  d->fd_ = fd;  // owned from here: the destructor closes it if a check below throws
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(path, fmt::format("cannot stat: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) fail(path, "not a regular file");
  u64 size = static_cast<u64>(st.st_size);
  check_size(path, size, options.media);
  d->size_ = size;
  std::array<u8, 512> probe{};  // a file we can open but not read (e.g. a directory) fails here
  if (!d->read_raw(0, std::span<u8>(probe.data(), 512)))
    fail(path, fmt::format("cannot read: {}", std::strerror(errno)));
  return d;
}

std::unique_ptr<DiskImage> DiskImage::from_bytes(std::vector<u8> bytes, DiskMedia media, std::string name) {
  check_size(name, bytes.size(), media);
  std::unique_ptr<DiskImage> d(new DiskImage());
  d->path_ = std::move(name);
  d->media_ = media;
  d->sector_size_ = sector_size_for(media);
  d->size_ = bytes.size();
  d->memory_ = std::move(bytes);
  return d;
}

DiskImage::~DiskImage() {
  if (fd_ >= 0) ::close(fd_);
}

bool DiskImage::read_raw(u64 offset, std::span<u8> out) {
  if (fd_ < 0) {
    std::memcpy(out.data(), memory_.data() + offset, out.size());
    return true;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool DiskImage::read_sectors(u64 lba, u64 count, std::span<u8> out) {
  if (lba > sector_count() || count > sector_count() - lba || out.size() < count * sector_size_) return false;
  if (overlay_.empty()) return read_raw(lba * sector_size_, out.first(count * sector_size_));
  for (u64 k = 0; k < count; ++k) {
    auto dst = out.subspan(k * sector_size_, sector_size_);
    if (auto it = overlay_.find(lba + k); it != overlay_.end())
      std::memcpy(dst.data(), it->second.data(), sector_size_);
    else if (!read_raw((lba + k) * sector_size_, dst))
      return false;
  }
  return true;
}

bool DiskImage::write_sectors(u64 lba, u64 count, std::span<const u8> in) {
  if (lba > sector_count() || count > sector_count() - lba || in.size() < count * sector_size_) return false;
  if (write_through_) {
    std::size_t len = count * sector_size_, done = 0;
    while (done < len) {
      ssize_t n = ::pwrite(fd_, in.data() + done, len - done, static_cast<off_t>(lba * sector_size_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  for (u64 k = 0; k < count; ++k) {
    auto src = in.subspan(k * sector_size_, sector_size_);
    overlay_[lba + k].assign(src.begin(), src.end());
  }
  return true;
}

void DiskImage::flush() {
  if (write_through_ && fd_ >= 0) ::fdatasync(fd_);
}

}  // namespace pcjit::devices
