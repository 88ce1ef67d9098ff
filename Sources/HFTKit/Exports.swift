@_exported import HFTCore
@_exported import HFTTransport
@_exported import HFTVenues
@_exported import HFTSimulator
@_exported import HFTServices
