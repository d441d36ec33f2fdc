// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title Skyloom's SPON escrow, in Spheron's vocabulary
/// @notice Funds belong to accounts named by a bytes32 deposit reference (one per Skyloom team):
/// anyone may pay into an account, like a bank transfer with a reference. The operator (the
/// Skyloom host) acts for the accounts it manages: it locks funds for an order, starts a lease
/// at a per-second rate, charges metered usage and withdraws. Payment streams to the provider by
/// the second, capped at the lock; anyone may settle what has accrued; the tenant (operator) or
/// the provider may close a lease at any time, and anyone may once the lock cannot pay for
/// another second. Closing pays what accrued and returns the rest to the account's unlocked
/// balance. Amounts are integers in the token's base units (wei) and rates are wei per second,
/// the same units Skyloom's ledger uses, so the two agree exactly.
contract SponEscrow is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    enum OrderState { None, Locked, Leased, Closed, Unlocked }

    struct Order {
        bytes32 account;
        address provider;
        OrderState state;
        uint64 startedAt;
        uint64 endedAt;
        uint256 ratePerSecond;
        uint256 locked; // what the order locked, fixed at lock time
        uint256 paid; // settled to the provider so far
    }

    IERC20 public immutable token;

    mapping(bytes32 account => uint256) public unlockedBalance;
    mapping(bytes32 account => uint256) public lockedBalance;
    mapping(address provider => uint256) public earnings; // earned, not yet withdrawn
    mapping(address provider => uint256) public earningsWithdrawn;
    mapping(bytes32 orderId => Order) public orders;
    uint256 public platformRevenue; // charged usage, not yet withdrawn by the operator

    event Deposited(bytes32 indexed account, address indexed from, uint256 amount);
    event Withdrawn(bytes32 indexed account, address indexed to, uint256 amount);
    event Charged(bytes32 indexed account, bytes32 indexed ref, uint256 amount);
    event RevenueWithdrawn(address indexed to, uint256 amount);
    event OrderLocked(bytes32 indexed orderId, bytes32 indexed account, uint256 amount);
    event OrderUnlocked(bytes32 indexed orderId, bytes32 indexed account, uint256 amount);
    event LeaseStarted(bytes32 indexed orderId, bytes32 indexed account, address indexed provider, uint256 ratePerSecond, uint64 startedAt);
    event LeaseSettled(bytes32 indexed orderId, bytes32 indexed account, address indexed provider, uint256 amount);
    event LeaseClosed(bytes32 indexed orderId, bytes32 indexed account, address indexed closedBy, uint256 settled, uint256 refunded);
    event EarningsWithdrawn(address indexed provider, address indexed to, uint256 amount);

    error ZeroAmount();
    error InsufficientBalance(uint256 available, uint256 needed);
    error OrderExists(bytes32 orderId);
    error WrongOrderState(bytes32 orderId, OrderState state);
    error ZeroAddress();
    error ZeroRate();
    error NotTenantOrProvider(address caller);
    error NothingToSettle(bytes32 orderId);

    constructor(IERC20 token_, address operator) Ownable(operator) {
        token = token_;
    }

    // ---------------------------------------------------------------- accounts

    /// @notice Pay `amount` into `account` (the caller must have approved this contract).
    function deposit(bytes32 account, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        unlockedBalance[account] += amount;
        emit Deposited(account, msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function withdraw(bytes32 account, address to, uint256 amount) external onlyOwner nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        _takeUnlocked(account, amount);
        emit Withdrawn(account, to, amount);
        token.safeTransfer(to, amount);
    }

    /// @notice Charge metered usage (API tokens) from an account; `ref` names the batch so the
    /// ledger can match it.
    function charge(bytes32 account, bytes32 ref, uint256 amount) external onlyOwner {
        if (amount == 0) revert ZeroAmount();
        _takeUnlocked(account, amount);
        platformRevenue += amount;
        emit Charged(account, ref, amount);
    }

    function withdrawRevenue(address to, uint256 amount) external onlyOwner nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        if (amount > platformRevenue) revert InsufficientBalance(platformRevenue, amount);
        platformRevenue -= amount;
        emit RevenueWithdrawn(to, amount);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- orders and leases

    function lock(bytes32 orderId, bytes32 account, uint256 amount) external onlyOwner {
        if (amount == 0) revert ZeroAmount();
        if (orders[orderId].state != OrderState.None) revert OrderExists(orderId);
        _takeUnlocked(account, amount);
        lockedBalance[account] += amount;
        orders[orderId] = Order(account, address(0), OrderState.Locked, 0, 0, 0, amount, 0);
        emit OrderLocked(orderId, account, amount);
    }

    /// @notice Return a locked order that never became a lease.
    function unlock(bytes32 orderId) external onlyOwner {
        Order storage o = _inState(orderId, OrderState.Locked);
        o.state = OrderState.Unlocked;
        lockedBalance[o.account] -= o.locked;
        unlockedBalance[o.account] += o.locked;
        emit OrderUnlocked(orderId, o.account, o.locked);
    }

    function startLease(bytes32 orderId, address provider, uint256 ratePerSecond) external onlyOwner {
        if (provider == address(0)) revert ZeroAddress();
        if (ratePerSecond == 0) revert ZeroRate();
        Order storage o = _inState(orderId, OrderState.Locked);
        o.state = OrderState.Leased;
        o.provider = provider;
        o.ratePerSecond = ratePerSecond;
        o.startedAt = uint64(block.timestamp);
        emit LeaseStarted(orderId, o.account, provider, ratePerSecond, o.startedAt);
    }

    /// @notice What the lease has earned in total so far: seconds × rate, capped at the lock.
    function accrued(bytes32 orderId) public view returns (uint256) {
        Order storage o = orders[orderId];
        if (o.state != OrderState.Leased && o.state != OrderState.Closed) return 0;
        uint256 end = o.state == OrderState.Closed ? o.endedAt : block.timestamp;
        uint256 total = (end - o.startedAt) * o.ratePerSecond;
        return total < o.locked ? total : o.locked;
    }

    /// @notice True once what is left of the lock cannot pay for another second.
    function exhausted(bytes32 orderId) public view returns (bool) {
        Order storage o = orders[orderId];
        return o.state == OrderState.Leased && o.locked - accrued(orderId) < o.ratePerSecond;
    }

    /// @notice Pay the provider what has accrued since the last settlement. Anyone may call it.
    function settle(bytes32 orderId) external {
        _inState(orderId, OrderState.Leased);
        if (_settle(orderId) == 0) revert NothingToSettle(orderId);
    }

    /// @notice Settle many leases in one transaction (providers' payout batches); leases with
    /// nothing due are skipped.
    function settleMany(bytes32[] calldata orderIds) external {
        for (uint256 i = 0; i < orderIds.length; i++) {
            if (orders[orderIds[i]].state == OrderState.Leased) _settle(orderIds[i]);
        }
    }

    function close(bytes32 orderId) external {
        Order storage o = _inState(orderId, OrderState.Leased);
        if (msg.sender != owner() && msg.sender != o.provider && !exhausted(orderId)) {
            revert NotTenantOrProvider(msg.sender);
        }
        uint256 settled = _settle(orderId);
        o.state = OrderState.Closed;
        o.endedAt = uint64(block.timestamp);
        uint256 refunded = o.locked - o.paid;
        lockedBalance[o.account] -= refunded;
        unlockedBalance[o.account] += refunded;
        emit LeaseClosed(orderId, o.account, msg.sender, settled, refunded);
    }

    // ---------------------------------------------------------------- providers

    function withdrawEarnings(address to, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        uint256 available = earnings[msg.sender];
        if (amount > available) revert InsufficientBalance(available, amount);
        earnings[msg.sender] = available - amount;
        earningsWithdrawn[msg.sender] += amount;
        emit EarningsWithdrawn(msg.sender, to, amount);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- internals

    function _takeUnlocked(bytes32 account, uint256 amount) private {
        uint256 available = unlockedBalance[account];
        if (amount > available) revert InsufficientBalance(available, amount);
        unlockedBalance[account] = available - amount;
    }

    function _inState(bytes32 orderId, OrderState state) private view returns (Order storage o) {
        o = orders[orderId];
        if (o.state != state) revert WrongOrderState(orderId, o.state);
    }

    function _settle(bytes32 orderId) private returns (uint256 due) {
        Order storage o = orders[orderId];
        due = accrued(orderId) - o.paid;
        if (due == 0) return 0;
        o.paid += due;
        lockedBalance[o.account] -= due;
        earnings[o.provider] += due;
        emit LeaseSettled(orderId, o.account, o.provider, due);
    }
}
