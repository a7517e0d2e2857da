// An ATA hard disk on an IDE channel, backed by a DiskImage (512-byte sectors).
//
// Implements what SeaBIOS and Linux use (ATA/ATAPI-6): IDENTIFY DEVICE; READ/WRITE SECTORS,
// MULTIPLE and DMA in CHS, LBA28 and LBA48 forms; SET MULTIPLE MODE; INITIALIZE DEVICE
// PARAMETERS (CHS translation); SET FEATURES (transfer modes, caches); FLUSH CACHE; READ VERIFY;
// power-management commands as no-ops. Commands complete immediately in virtual time: one IRQ per
// PIO block (reads: when the block is ready; writes: when it has been written) and one at the end
// of a DMA transfer.
#pragma once
#include <array>
#include <memory>

#include "devices/disk_image.h"
#include "devices/ide_drive.h"

namespace pcjit::devices {

class AtaDisk final : public IdeDrive {
 public:
  static constexpr unsigned kMaxMultiple = 16;
  enum class Proto : u8 { Pio, Multiple, Dma, Verify };

  explicit AtaDisk(std::unique_ptr<DiskImage> image);
  bool is_atapi() const override { return false; }
  void execute(u8 command) override;
  DiskImage& image() { return *image_; }

  struct Geometry {
    unsigned cylinders, heads, sectors;
  };
  // The default (IDENTIFY words 1, 3, 6) geometry: 16 heads, 63 sectors, up to 16383 cylinders.
  const Geometry& default_geometry() const { return default_geo_; }
  std::array<u16, 256> identify_data() const;

 protected:
  void set_signature() override;
  void pio_done() override;
  void run_dma() override;

 private:
  struct Transfer {
    u64 lba = 0;        // next sector
    u64 remaining = 0;  // sectors still to move
    unsigned block = 1; // sectors per DRQ block
    bool write = false;
    bool lba48 = false;
    Proto proto = Proto::Pio;
  };
  void start_rw(bool write, Proto proto, bool lba48);
  bool decode_address(bool lba48, u64& lba, u64& count) const;
  void set_address(u64 lba);  // report a sector address in the task file
  void next_read_block();
  void set_features();

  struct State {
    Geometry geo;           // current CHS translation (INITIALIZE DEVICE PARAMETERS)
    unsigned multiple = 0;  // 0: READ/WRITE MULTIPLE disabled
    u8 mwdma_mode = 0x02;   // selected transfer modes (bit n = mode n)
    u8 udma_mode = 0x00;
    Transfer xfer;
  };

  std::unique_ptr<DiskImage> image_;
  Geometry default_geo_;
  State disk_;
};

}  // namespace pcjit::devices
