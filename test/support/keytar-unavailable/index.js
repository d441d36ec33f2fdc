/* global module */
// Every keychain call fails loudly: nothing in Skyloom or its tests may rely on the OS keychain.
const unavailable = () => Promise.reject(new Error("keytar is not available: the OS keychain is not used by Skyloom."));
module.exports = {
  getPassword: unavailable,
  setPassword: unavailable,
  deletePassword: unavailable,
  findPassword: unavailable,
  findCredentials: unavailable,
};
