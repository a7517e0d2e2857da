// Raw disk images (hard disk, CD-ROM ISO, floppy) behind one sector interface.
//
// Why a copy-on-write overlay: an image is never written unless the user asks. An image opened
// read-only, or in snapshot mode, keeps guest writes in an in-memory sector map; reads consult the
// map first. Only a writable, non-snapshot image writes through to the file.
// Host-side problems (missing, unreadable, empty or wrong-sized file) throw pcjit::Error naming
// the file and the reason; out-of-range guest requests are reported as a false return.
#pragma once
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/types.h"

namespace pcjit::devices {

enum class DiskMedia : u8 { HardDisk, Cdrom, Floppy };

struct DiskOpenOptions {
  // Write through to the file (unless snapshot). A file without write permission (or on a
  // read-only file system) is opened read-only instead, with the overlay taking the writes.
  bool writable = false;
  bool snapshot = false;  // writes go to the overlay even if writable
  DiskMedia media = DiskMedia::HardDisk;
};

// The physical layout a floppy image of a given size implies (standard PC formats).
struct FloppyGeometry {
  unsigned cylinders;
  unsigned heads;
  unsigned sectors_per_track;
  u8 cmos_type;  // the CMOS drive-type nibble SeaBIOS reads (4 = 1.44 MB)
};
std::optional<FloppyGeometry> floppy_geometry_for_size(u64 bytes);

class DiskImage {
 public:
  static std::unique_ptr<DiskImage> open(const std::string& path, bool writable = false);
  static std::unique_ptr<DiskImage> open(const std::string& path, const DiskOpenOptions& options);
  // An image held entirely in memory (tests, generated media); writes stay in memory.
  static std::unique_ptr<DiskImage> from_bytes(std::vector<u8> bytes, DiskMedia media, std::string name);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  const std::string& path() const { return path_; }
  DiskMedia media() const { return media_; }
  unsigned sector_size() const { return sector_size_; }
  u64 size_bytes() const { return size_; }
  u64 sector_count() const { return size_ / sector_size_; }
  bool writes_through() const { return write_through_; }
  std::size_t overlay_sectors() const { return overlay_.size(); }

  // Whole sectors; false (nothing transferred) if [lba, lba+count) is outside the image or the
  // host I/O failed.
  bool read_sectors(u64 lba, u64 count, std::span<u8> out);
  bool write_sectors(u64 lba, u64 count, std::span<const u8> in);
  void flush();

 private:
  DiskImage() = default;
  bool read_raw(u64 offset, std::span<u8> out);

  std::string path_;
  DiskMedia media_ = DiskMedia::HardDisk;
  unsigned sector_size_ = 512;
  u64 size_ = 0;
  int fd_ = -1;                  // -1 for in-memory images
  bool write_through_ = false;
  std::vector<u8> memory_;       // contents of an in-memory image
  std::unordered_map<u64, std::vector<u8>> overlay_;  // sector -> data written by the guest
};

}  // namespace pcjit::devices
