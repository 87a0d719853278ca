//! The names of the store's trees: the only place they are spelled out.
//! Adding a tree is adding a variant here; every transaction spans all of
//! them, so a change to any records and its events stays atomic.

/// One sled tree of the node's database.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(usize)]
pub enum TreeId {
    /// (stream, seq) → envelope: every event this node wrote or accepted.
    Events,
    /// stream → highest contiguous seq held.
    Cursors,
    /// filing key → filing (own and replicas).
    Filings,
    /// named counters, revocation lists and small settings.
    Meta,
    /// peer → cursors it acknowledged.
    Peers,
    /// calendar version (big-endian) → published calendar document.
    Calendars,
    /// unit id → access unit (接入单位) registered here.
    Units,
    /// application key → access application (own, forwarded here, or lodged here).
    Applications,
    /// ledger number (big-endian) → withdrawal ledger entry (台账).
    Ledger,
    /// application key → deadline summary of an application decided below.
    DeadlineSummaries,
    /// origin → its latest status summary (latest-wins, one per node; oversight).
    Summaries,
    /// root prefix → root pool record of the top node (地址池).
    IpamRoots,
    /// (parent, number) → delegation (own, received, and replicas from below).
    IpamDelegations,
    /// (node, number) → assignment (own and replicas from below).
    IpamAssignments,
    /// number → address ledger entry (地址台账).
    IpamLedger,
    /// (node, number) → request for more space (own, and children's at the parent).
    IpamRequests,
    /// prefix → reservation made by this node (保留地址).
    IpamReservations,
    /// (caller, method, request id) → the encoded response of that write (idempotency).
    Idempotency,
    /// counter name → the count or sum a summary figure reads (`figures.rs`):
    /// kept in the transaction of every write to the records it counts.
    Figures,
    /// (due date, application key, deadline) → nothing: the open Art.16
    /// deadlines of the applications this node decides, so the overdue ones
    /// are a range scan up to today (`figures.rs`).
    DeadlineIndex,
    /// fault key → fault ticket (own, and replicas from below).
    Faults,
    /// fault key → nothing: this node's own tickets not yet closed, so
    /// the warnings and the breach scan read the open ones only.
    OpenFaults,
    /// `provider/<id>`, `maintainer/<id>`, `access_point/<id>` → who
    /// answers a fault here (Art.12, Art.13).
    FaultRegistry,
    /// interruption key → maintenance interruption (own, and replicas from below).
    Interruptions,
    /// approval key → application for a major adjustment as assembled here
    /// (own, from below, or on this level's path).
    Approvals,
    /// approval key → since when (Unix ms) it has waited on this level.
    ApprovalQueue,
    /// order key → disconnection and rectification order (own, and replicas from below).
    Orders,
    /// unit id → the key and due date of the standing order that
    /// disconnects it (own orders only): what every unit call is checked
    /// against, and the overdue scan of the summary.
    Disconnections,
    /// incident key → security incident (own, and those reported up from below).
    Incidents,
    /// circular key → circular (own, and those issued by an ancestor).
    Circulars,
    /// inspection key → supervision inspection (Art.28): own, replicas
    /// from below, and those of this node sent down by an ancestor.
    Inspections,
    /// `due\0inspection\0finding` → () for each rectification of an own
    /// inspection not yet accepted: the summary's overdue scan.
    RectificationDue,
    /// application key → a unit's application for a system's addresses
    /// (信息系统地址申请, Art.23), held and decided here.
    SystemRequests,
    /// device key → a unified device at a unit's access point (Art.18),
    /// held at the unit's node.
    Devices,
    /// `unit/<id>` → the keys of its devices; `serial/<serial>` → the key
    /// of the device with that serial: the lookups a write needs.
    DeviceIndex,
    /// unit id → its access room as last checked (Art.14).
    Rooms,
    /// private-network key → non-classified private network (非涉密业务专网,
    /// Art.5): own, and replicas from below.
    PrivateNetworks,
    /// (prefecture path, NUL, version big-endian) → a prefecture's local
    /// calendar (地方性假日): held in its subtree, and as a copy above it.
    LocalCalendars,
}

impl TreeId {
    /// Every tree, in index order.
    pub const ALL: [TreeId; 38] = [
        TreeId::Events,
        TreeId::Cursors,
        TreeId::Filings,
        TreeId::Meta,
        TreeId::Peers,
        TreeId::Calendars,
        TreeId::Units,
        TreeId::Applications,
        TreeId::Ledger,
        TreeId::DeadlineSummaries,
        TreeId::Summaries,
        TreeId::IpamRoots,
        TreeId::IpamDelegations,
        TreeId::IpamAssignments,
        TreeId::IpamLedger,
        TreeId::IpamRequests,
        TreeId::IpamReservations,
        TreeId::Idempotency,
        TreeId::Figures,
        TreeId::DeadlineIndex,
        TreeId::Faults,
        TreeId::OpenFaults,
        TreeId::FaultRegistry,
        TreeId::Interruptions,
        TreeId::Approvals,
        TreeId::ApprovalQueue,
        TreeId::Orders,
        TreeId::Disconnections,
        TreeId::Incidents,
        TreeId::Circulars,
        TreeId::Inspections,
        TreeId::RectificationDue,
        TreeId::SystemRequests,
        TreeId::Devices,
        TreeId::DeviceIndex,
        TreeId::Rooms,
        TreeId::PrivateNetworks,
        TreeId::LocalCalendars,
    ];

    /// The tree's name on disk.
    pub fn name(self) -> &'static str {
        match self {
            TreeId::Events => "events",
            TreeId::Cursors => "cursors",
            TreeId::Filings => "filings",
            TreeId::Meta => "meta",
            TreeId::Peers => "peers",
            TreeId::Calendars => "calendars",
            TreeId::Units => "units",
            TreeId::Applications => "applications",
            TreeId::Ledger => "ledger",
            TreeId::DeadlineSummaries => "deadline_summaries",
            TreeId::Summaries => "summaries",
            TreeId::IpamRoots => "ipam_roots",
            TreeId::IpamDelegations => "ipam_delegations",
            TreeId::IpamAssignments => "ipam_assignments",
            TreeId::IpamLedger => "ipam_ledger",
            TreeId::IpamRequests => "ipam_requests",
            TreeId::IpamReservations => "ipam_reservations",
            TreeId::Idempotency => "idempotency",
            TreeId::Figures => "figures",
            TreeId::DeadlineIndex => "deadline_index",
            TreeId::Faults => "faults",
            TreeId::OpenFaults => "open_faults",
            TreeId::FaultRegistry => "fault_registry",
            TreeId::Interruptions => "interruptions",
            TreeId::Approvals => "approvals",
            TreeId::ApprovalQueue => "approval_queue",
            TreeId::Orders => "orders",
            TreeId::Disconnections => "disconnections",
            TreeId::Incidents => "incidents",
            TreeId::Circulars => "circulars",
            TreeId::Inspections => "inspections",
            TreeId::RectificationDue => "rectification_due",
            TreeId::SystemRequests => "system_requests",
            TreeId::Devices => "devices",
            TreeId::DeviceIndex => "device_index",
            TreeId::Rooms => "rooms",
            TreeId::PrivateNetworks => "private_networks",
            TreeId::LocalCalendars => "local_calendars",
        }
    }
}
