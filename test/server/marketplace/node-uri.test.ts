import { describe, expect, it } from "vitest";
import { fromThisMachine, nodeServiceUriProblem } from "#server/marketplace/local/node-uri";

/** Where a node may say its services are: the host connects there on tenants' behalf. */
describe("nodeServiceUriProblem", () => {
  const remote = () => false;
  const local = () => true;

  it.each(["http://10.213.7.2:41234/v1", "http://192.168.1.20:8000/v1", "https://93.184.215.14/v1", "http://[fd12::5]:9000/v1", "http://100.64.3.4:1/v1"])("accepts %s, a node's public or private address", (uri) => {
    expect(nodeServiceUriProblem(uri, remote)).toBeNull();
  });

  it("accepts loopback only from a node on the host's machine", () => {
    expect(nodeServiceUriProblem("http://127.0.0.1:5000/v1", local)).toBeNull();
    expect(nodeServiceUriProblem("http://127.0.0.1:5000/v1", remote)).toBe(
      "127.0.0.1 is a loopback address, and the node is not on the host's machine; start it with --listen-host and --advertise-host set to an address the host reaches it at",
    );
    expect(nodeServiceUriProblem("http://[::ffff:7f00:1]:5000/v1", remote)).toMatch(/is a loopback address/);
    expect(nodeServiceUriProblem("http://[::1]:5000/v1", remote)).toMatch(/is a loopback address/);
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata service, which the host never connects to"],
    ["http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata service, which the host never connects to"],
    ["http://169.254.10.10:80/v1", "169.254.10.10 is a link-local address, which the host never connects to"],
    ["http://0.0.0.0:80/v1", "0.0.0.0 is a reserved address, which the host never connects to"],
    ["http://node.example.com:80/v1", "node.example.com is a name, not an IP address; start the node with --advertise-host set to the address the host reaches it at"],
    ["http://localhost:80/v1", "localhost is a name, not an IP address; start the node with --advertise-host set to the address the host reaches it at"],
    ["http://user:pw@10.0.0.5/v1", "it carries a user name or password"],
    ["file:///etc/passwd", "file: is not http or https"],
    ["not a url", '"not a url" is not a URL'],
  ])("refuses %s, even from a node on this machine", (uri, problem) => {
    expect(nodeServiceUriProblem(uri, local)).toBe(problem);
  });
});

describe("fromThisMachine", () => {
  it("is true for loopback peers (also IPv4-mapped) and false for others or none", () => {
    expect(fromThisMachine("127.0.0.1")).toBe(true);
    expect(fromThisMachine("::ffff:127.0.0.1")).toBe(true);
    expect(fromThisMachine("::1")).toBe(true);
    expect(fromThisMachine("198.51.100.7")).toBe(false);
    expect(fromThisMachine(undefined)).toBe(false);
  });
});
