// NS16550A UART: registers, FIFOs, interrupt priorities and line timing (see uart16550.h).
#include "devices/uart16550.h"

#include <algorithm>

namespace pcjit::devices {

namespace {
// IER bits and the IIR codes (bits 3:0) in datasheet priority order.
constexpr u8 kIerRda = 1, kIerThre = 2, kIerRls = 4, kIerMsi = 8;
constexpr u8 kIirNone = 0x01, kIirRls = 0x06, kIirRda = 0x04, kIirTimeout = 0x0C, kIirThre = 0x02, kIirMsi = 0x00;
constexpr u8 kLcrDlab = 0x80;
constexpr u8 kMcrOut2 = 0x08, kMcrLoop = 0x10;
constexpr u8 kLsrDr = 0x01, kLsrOe = 0x02, kLsrErrors = 0x1E, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr std::array<unsigned, 4> kRxTrigger{1, 4, 8, 14};  // FCR bits 7:6
}  // namespace

class Uart16550::Ports final : public core::PortHandler {
 public:
  explicit Ports(Uart16550& u) : u_(u) {}
  u32 port_in(u16 port, unsigned size) override {
    u32 v = u_.read(port & 7);
    return size == 1 ? v : v | (size == 2 ? 0xFF00u : 0xFFFFFF00u);
  }
  void port_out(u16 port, unsigned, u32 value) override { u_.write(port & 7, static_cast<u8>(value)); }

 private:
  Uart16550& u_;
};

Uart16550::Uart16550(core::Machine& m, u16 base, unsigned irq, core::IrqSink& irq_sink, Sink tx)
    : m_(m), base_(base), irq_(irq), irq_sink_(irq_sink), sink_(std::move(tx)), ports_(std::make_unique<Ports>(*this)) {
  m_.io().map(base_, 8, ports_.get());
}

Uart16550::~Uart16550() {
  cancel(tx_event_);
  cancel(rx_event_);
  cancel(timeout_event_);
  m_.io().unmap(base_, 8);
}

void Uart16550::cancel(core::EventId& id) {
  if (id) m_.events().cancel(id);
  id = 0;
}

void Uart16550::reset() {
  cancel(tx_event_);
  cancel(rx_event_);
  cancel(timeout_event_);
  u8 inputs = s_.msr_inputs;
  s_ = State{};
  s_.msr_inputs = inputs;
  s_.msr = inputs;
  host_rx_.clear();
  update_irq();
}

u64 Uart16550::char_time_ns() const {
  // Half-bit units: start + 5..8 data + optional parity + 1, 1.5 (5-bit words) or 2 stop bits.
  unsigned data = 5 + (s_.lcr & 3);
  unsigned stop2 = (s_.lcr & 4) ? (data == 5 ? 3 : 4) : 2;
  u64 half_bits = 2 * (1 + data + ((s_.lcr & 8) ? 1 : 0)) + stop2;
  u64 div = s_.divisor ? s_.divisor : 0x10000;
  return half_bits * div * 16 * 1000000000ull / (2 * kClockHz);
}

unsigned Uart16550::rx_trigger() const { return fifo_mode() ? kRxTrigger[s_.fcr >> 6] : 1; }

u8 Uart16550::lsr() const {
  u8 v = s_.lsr_errors;
  if (!s_.rx.empty()) v |= kLsrDr;
  if (s_.tx.empty()) v |= kLsrThre;
  if (s_.tx.empty() && !s_.tsr_busy) v |= kLsrTemt;
  return v;
}

u8 Uart16550::iir() const {
  if ((s_.ier & kIerRls) && (s_.lsr_errors & kLsrErrors)) return kIirRls;
  if ((s_.ier & kIerRda) && s_.rx.size >= rx_trigger()) return kIirRda;
  if ((s_.ier & kIerRda) && s_.timeout_pending) return kIirTimeout;
  if ((s_.ier & kIerThre) && s_.thre_pending) return kIirThre;
  if ((s_.ier & kIerMsi) && (s_.msr & 0x0F)) return kIirMsi;
  return kIirNone;
}

void Uart16550::update_irq() {
  // The PC gates INTRPT through OUT2; loopback forces the OUT pins inactive (datasheet, MCR bit 4).
  bool level = iir() != kIirNone && (s_.mcr & kMcrOut2) && !(s_.mcr & kMcrLoop);
  if (level == irq_level_) return;
  irq_level_ = level;
  irq_sink_.set_irq(irq_, level);
}

u8 Uart16550::read(unsigned reg) {
  const bool dlab = s_.lcr & kLcrDlab;
  u8 v = 0;
  switch (reg & 7) {
    case 0:
      if (dlab) return static_cast<u8>(s_.divisor);
      if (!s_.rx.empty()) v = s_.rx.pop();
      s_.timeout_pending = false;
      restart_timeout(m_.clock().now_ns());
      break;
    case 1: return dlab ? static_cast<u8>(s_.divisor >> 8) : s_.ier;
    case 2:
      v = iir();
      if (v == kIirThre) s_.thre_pending = false;  // reading IIR clears a THRE interrupt it reports
      if (fifo_mode()) v |= 0xC0;
      break;
    case 3: return s_.lcr;
    case 4: return s_.mcr;
    case 5:
      v = lsr();
      s_.lsr_errors = 0;  // OE/PE/FE/BI are cleared by reading LSR
      break;
    case 6:
      v = s_.msr;
      s_.msr &= 0xF0;  // delta bits are cleared by reading MSR
      break;
    default: return s_.scr;
  }
  update_irq();
  return v;
}

void Uart16550::write(unsigned reg, u8 value) {
  const bool dlab = s_.lcr & kLcrDlab;
  switch (reg & 7) {
    case 0:
      if (dlab) {
        s_.divisor = static_cast<u16>((s_.divisor & 0xFF00) | value);
        break;
      }
      if (!fifo_mode() && !s_.tx.empty()) s_.tx.clear();  // one holding register: overwrite it
      if (!s_.tx.full()) s_.tx.push(value);
      s_.thre_pending = false;
      if (instant_tx_) {
        while (!s_.tx.empty()) {
          u8 b = s_.tx.pop();
          if (s_.mcr & kMcrLoop) rx_byte(b, m_.clock().now_ns());
          else if (sink_) sink_(b);
        }
        s_.thre_pending = true;
      } else if (!s_.tsr_busy) {
        start_tx(m_.clock().now_ns());
      }
      break;
    case 1:
      if (dlab) {
        s_.divisor = static_cast<u16>((s_.divisor & 0x00FF) | value << 8);
        break;
      }
      // Enabling ETBEI while THR is empty raises the THRE interrupt at once (as on the part).
      if ((value & kIerThre) && !(s_.ier & kIerThre) && s_.tx.empty()) s_.thre_pending = true;
      if (!(value & kIerThre)) s_.thre_pending = false;
      s_.ier = value & 0x0F;
      break;
    case 2: {
      bool enable = value & 1;
      if (enable != fifo_mode()) {  // changing the FIFO enable clears both FIFOs
        s_.rx.clear();
        s_.tx.clear();
      }
      if (value & 2) {
        s_.rx.clear();
        s_.timeout_pending = false;
        cancel(timeout_event_);
      }
      if (value & 4) {
        s_.tx.clear();
        s_.thre_pending = true;
      }
      s_.fcr = enable ? value & 0xC9 : 0;
      break;
    }
    case 3: s_.lcr = value; break;
    case 4:
      s_.mcr = value & 0x1F;
      set_msr_inputs((s_.mcr & kMcrLoop) ? loopback_inputs() : s_.msr_inputs);
      if (!(s_.mcr & kMcrLoop) && !host_rx_.empty() && !rx_event_) schedule_host_rx(m_.clock().now_ns());
      break;
    case 7: s_.scr = value; break;
    default: break;  // LSR and MSR writes are factory test modes
  }
  update_irq();
}

u8 Uart16550::loopback_inputs() const {
  // Loopback: CTS <- RTS, DSR <- DTR, RI <- OUT1, DCD <- OUT2 (datasheet, MCR bit 4).
  u8 m = s_.mcr;
  return static_cast<u8>(((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) | ((m & 8) << 4));
}

void Uart16550::set_msr_inputs(u8 inputs) {
  u8 old = s_.msr & 0xF0;
  u8 delta = s_.msr & 0x0F;
  u8 changed = old ^ inputs;
  if (changed & 0x10) delta |= 0x01;                     // DCTS
  if (changed & 0x20) delta |= 0x02;                     // DDSR
  if ((old & 0x40) && !(inputs & 0x40)) delta |= 0x04;   // TERI: RI trailing edge
  if (changed & 0x80) delta |= 0x08;                     // DDCD
  s_.msr = static_cast<u8>((inputs & 0xF0) | delta);
}

void Uart16550::set_modem_inputs(u8 msr_high) {
  s_.msr_inputs = msr_high & 0xF0;
  if (!(s_.mcr & kMcrLoop)) set_msr_inputs(s_.msr_inputs);
  update_irq();
}

void Uart16550::start_tx(u64 at) {
  tsr_ = s_.tx.pop();
  s_.tsr_busy = true;
  if (s_.tx.empty()) s_.thre_pending = true;  // the holding register / FIFO just emptied
  u64 done = at + char_time_ns();
  tx_event_ = m_.events().schedule(done, [this, done] {
    tx_event_ = 0;
    finish_tx(done);
  });
}

void Uart16550::finish_tx(u64 at) {
  s_.tsr_busy = false;
  if (s_.mcr & kMcrLoop) rx_byte(tsr_, at);
  else if (sink_) sink_(tsr_);
  if (!s_.tx.empty()) start_tx(at);
  update_irq();
}

void Uart16550::rx_byte(u8 b, u64 at) {
  bool full = fifo_mode() ? s_.rx.full() : !s_.rx.empty();
  if (full) {
    s_.lsr_errors |= kLsrOe;
    // Non-FIFO: the new character overwrites RBR; FIFO: it is lost in the shift register.
    if (!fifo_mode()) {
      s_.rx.clear();
      s_.rx.push(b);
    }
  } else {
    s_.rx.push(b);
  }
  s_.timeout_pending = false;
  restart_timeout(at);
  update_irq();
}

void Uart16550::restart_timeout(u64 at) {
  cancel(timeout_event_);
  if (!fifo_mode() || s_.rx.empty()) return;
  // Datasheet: a timeout interrupt when the FIFO holds data and nothing was received or read
  // for four character times.
  timeout_event_ = m_.events().schedule(at + 4 * char_time_ns(), [this] {
    timeout_event_ = 0;
    if (fifo_mode() && !s_.rx.empty()) s_.timeout_pending = true;
    update_irq();
  });
}

void Uart16550::receive(u8 byte) {
  host_rx_.push_back(byte);
  if (!rx_event_) schedule_host_rx(m_.clock().now_ns());
}

void Uart16550::schedule_host_rx(u64 from) {
  u64 at = from + char_time_ns();
  rx_event_ = m_.events().schedule(at, [this, at] {
    rx_event_ = 0;
    // The host line waits while the receiver is full (like flow control) or looped back.
    bool room = fifo_mode() ? !s_.rx.full() : s_.rx.empty();
    if (!host_rx_.empty() && room && !(s_.mcr & kMcrLoop)) {
      u8 b = host_rx_.front();
      host_rx_.pop_front();
      rx_byte(b, at);
    }
    if (!host_rx_.empty() && !(s_.mcr & kMcrLoop)) schedule_host_rx(at);
  });
}

}  // namespace pcjit::devices
