// mail2webhook: deliver one email from standard input to webhooks as JSON.
// All work happens in agent::run; see src/agent.cpp.
#include "agent.hpp"

int main(int argc, char** argv)
{
    return agent::run(argc, argv);
}
