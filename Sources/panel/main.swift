import Foundation
import PanelCLI

exit(await PanelCommand.main(Array(CommandLine.arguments.dropFirst())))
