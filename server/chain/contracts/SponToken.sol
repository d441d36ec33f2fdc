// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title SPON for the embedded devnet
/// @notice An ERC-20 with 18 decimals, like SPON on Base. Only the devnet deploys it: its owner
/// (the Skyloom host) mints demo SPON for "Get test SPON". On Base, Skyloom uses the real token.
contract SponToken is ERC20, Ownable {
    constructor(address initialOwner) ERC20("Spheron (Skyloom devnet)", "SPON") Ownable(initialOwner) {}

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
